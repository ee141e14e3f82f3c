package org.zmsnap.bench;

import java.util.Arrays;
import java.util.Collection;

/** Order statistics over a sample (nearest-rank percentiles); an empty sample gives NaN. */
final class Stats {
    private final double[] sorted;

    Stats(Collection<? extends Number> values) {
        sorted = values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
    }

    Stats(double[] values) {
        sorted = values.clone();
        Arrays.sort(sorted);
    }

    int count() {
        return sorted.length;
    }

    /** Nearest-rank percentile, p in (0, 100]. */
    double percentile(double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    double median() {
        return percentile(50);
    }

    double max() {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }

    long countAbove(double threshold) {
        return Arrays.stream(sorted).filter(v -> v > threshold).count();
    }
}
