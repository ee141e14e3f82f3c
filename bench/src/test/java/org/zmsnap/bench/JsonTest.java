package org.zmsnap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesNestedValuesWithEscapes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "a \"quoted\"\\ line\nnext\u0001");
        m.put("n", 3);
        m.put("x", 2.5);
        m.put("whole", 651.0);
        m.put("nan", Double.NaN);
        m.put("list", List.of(true, "ü"));
        m.put("empty", Map.of());
        assertEquals("{\n  \"name\": \"a \\\"quoted\\\"\\\\ line\\nnext\\u0001\",\n  \"n\": 3,\n  \"x\": 2.5,\n"
                + "  \"whole\": 651,\n  \"nan\": null,\n  \"list\": [\n    true,\n    \"ü\"\n  ],\n  \"empty\": {}\n}\n",
                Json.write(m));
    }
}
