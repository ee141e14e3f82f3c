package org.zmsnap.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a result into the JSON file under bench-results/ and the markdown rows for docs/benchmarks.md. */
public final class ResultReport {
    private ResultReport() {}

    public static Map<String, Object> toJson(BenchResult r, Machine m) {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpuModel", m.cpuModel());
        machine.put("cores", m.cores());
        machine.put("memoryBytes", m.memoryBytes());
        machine.put("kernel", m.kernel());
        machine.put("zfsFlavour", m.zfsFlavour());
        machine.put("zfsVersion", m.zfsVersion());
        machine.put("mariadb", m.mariadbVersion());
        machine.put("java", m.javaVersion());
        machine.put("date", m.date().toString());
        List<Object> metrics = new ArrayList<>();
        for (BenchResult.Metric x : r.metrics()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", x.name());
            e.put("value", x.value());
            e.put("unit", x.unit());
            metrics.add(e);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", r.benchmark());
        out.put("machine", machine);
        out.put("parameters", r.parameters());
        out.put("results", metrics);
        return out;
    }

    public static Path writeJson(Path dir, BenchResult r, Machine m) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(r.benchmark() + ".json");
        Files.writeString(file, Json.write(toJson(r, m)), StandardCharsets.UTF_8);
        return file;
    }

    public static String markdown(BenchResult r, Machine m) {
        StringBuilder sb = new StringBuilder();
        sb.append("Machine: ").append(m.summary()).append("; ").append(m.date()).append('\n');
        StringBuilder params = new StringBuilder();
        r.parameters().forEach((k, v) -> params.append(params.length() == 0 ? "" : ", ").append(k).append('=').append(v));
        sb.append("Parameters: ").append(params).append("\n\n");
        sb.append("| benchmark | metric | value | unit |\n| --- | --- | ---: | --- |\n");
        for (BenchResult.Metric x : r.metrics()) {
            sb.append("| ").append(r.benchmark()).append(" | ").append(x.name()).append(" | ")
                    .append(String.format(java.util.Locale.ROOT, "%,." + x.decimals() + "f", x.value()))
                    .append(" | ").append(x.unit()).append(" |\n");
        }
        return sb.toString();
    }
}
