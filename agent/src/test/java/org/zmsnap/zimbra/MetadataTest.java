package org.zmsnap.zimbra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataTest {
    @Test
    void decodesNestedMapsListsAndIntegers() {
        Map<String, Object> m = Metadata.decode("d3:fldd5:email11:a@b.example9:firstName4:Annae1:vi10e2:xsl1:a1:bee");
        assertEquals(10L, m.get("v"));
        assertEquals(Map.of("email", "a@b.example", "firstName", "Anna"), m.get("fld"));
        assertEquals(List.of("a", "b"), m.get("xs"));
    }

    @Test
    void nonAsciiLengthsCountedInUtf8BytesDecode() {
        // "Müller" is 6 chars, 7 UTF-8 bytes; "Проекты" 7 chars, 14 bytes
        String text = "d3:fldd7:company14:Проекты8:lastName7:Müllere1:vi10ee";
        assertEquals(Map.of("company", "Проекты", "lastName", "Müller"), Metadata.contactFields(text));
    }

    @Test
    void nonAsciiLengthsCountedInJavaCharsDecode() {
        // Zimbra's own encoder counts chars: the same map as above
        String text = "d3:fldd7:company7:Проекты8:lastName6:Müllere1:vi10ee";
        assertEquals(Map.of("company", "Проекты", "lastName", "Müller"), Metadata.contactFields(text));
    }

    @Test
    void supplementaryCharactersAndSeparatorsInsideValues() {
        String v = "a:b;c,d e 😀";
        String text = "d3:fldd5:notes" + v.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + ":" + v + "ee";
        assertEquals(Map.of("notes", v), Metadata.contactFields(text));
    }

    @Test
    void anythingElseIsEmptyNotAnError() {
        assertEquals(Map.of(), Metadata.decode(null));
        assertEquals(Map.of(), Metadata.decode(""));
        assertEquals(Map.of(), Metadata.decode("d3:fld"));
        assertEquals(Map.of(), Metadata.decode("99:x"));
        assertEquals(Map.of(), Metadata.contactFields("d1:vi10ee"));
    }
}
