package org.zmsnap.verify;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** The value of {@code org.zmsnap:verified} on a set's snapshots: {@code <ISO time> ok|failed full|incremental}. */
public record VerifiedMark(Instant time, boolean ok, String mode) {
    public String value() {
        return time.truncatedTo(ChronoUnit.SECONDS) + " " + (ok ? "ok" : "failed") + " " + mode;
    }

    public boolean full() {
        return mode.equals("full");
    }

    /** Empty for anything this version did not write. */
    public static Optional<VerifiedMark> parse(String value) {
        String[] w = value.strip().split(" ");
        if (w.length != 3 || !(w[1].equals("ok") || w[1].equals("failed"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new VerifiedMark(Instant.parse(w[0]), w[1].equals("ok"), w[2]));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
