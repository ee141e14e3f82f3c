package org.zmsnap.verify;

import java.time.Instant;
import java.util.Optional;

/**
 * Which blobs get their digest checked; every blob is always located, checked to exist and sized.
 *
 * @param full          digest every blob
 * @param changedSince  incremental: digest every item whose row changed at or after this time (the previous
 *                      verified set of the chain was taken then); empty with {@code full} false: no previous
 *                      verification is known, so everything is new and digested
 * @param sample        the share of the remaining items digested as well, chosen at random
 */
public record VerifyMode(boolean full, Optional<Instant> changedSince, double sample) {
    public VerifyMode {
        if (sample < 0 || sample > 1 || Double.isNaN(sample)) {
            throw new IllegalArgumentException("sample must be between 0 and 1, not " + sample);
        }
    }

    public static VerifyMode fullCheck() {
        return new VerifyMode(true, Optional.empty(), 1);
    }

    public static VerifyMode incremental(Optional<Instant> changedSince, double sample) {
        return new VerifyMode(changedSince.isEmpty(), changedSince, sample);
    }

    /** One word for the property and the summary: {@code full} or {@code incremental}. */
    public String label() {
        return full ? "full" : "incremental";
    }

    public String describe() {
        if (full) {
            return changedSince.isEmpty() && sample < 1 ? "full (no earlier verified set of this chain)" : "full";
        }
        return "incremental: every item changed since " + changedSince.orElseThrow() + " plus a "
                + (sample * 100) + "% sample of the rest";
    }
}
