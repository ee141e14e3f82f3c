package org.zmsnap.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one benchmark run measured, with the parameters that produced it. */
public record BenchResult(String benchmark, Map<String, Object> parameters, List<Metric> metrics) {

    /** One number; {@code decimals} is how many digits the markdown table shows. */
    public record Metric(String name, double value, String unit, int decimals) {
    }

    public BenchResult {
        parameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        metrics = List.copyOf(metrics);
    }
}
