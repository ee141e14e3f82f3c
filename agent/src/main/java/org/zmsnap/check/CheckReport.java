package org.zmsnap.check;

import java.util.List;

/** Every line of one {@code zmsnap check} run, in the order they were checked. */
public record CheckReport(List<CheckResult> results) {
    public CheckReport {
        results = List.copyOf(results);
    }

    public boolean failed() {
        return results.stream().anyMatch(r -> r instanceof CheckResult.Fail);
    }

    public long count(Class<? extends CheckResult> kind) {
        return results.stream().filter(kind::isInstance).count();
    }
}
