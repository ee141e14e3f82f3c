package org.zmsnap.promote;

import java.time.Instant;
import java.util.Optional;

/**
 * {@code org.zmsnap:promoted} on each copy (and clone) of a promoted source: {@code <UTC time> <set tag> <host>}.
 * Its presence is what stops pulls and DR retention for the source and a second promotion.
 */
public record PromotedMark(Instant time, String set, String host) {
    public static final String PROPERTY = "org.zmsnap:promoted";

    public String value() {
        return time + " " + set + " " + host;
    }

    /** A value an older or hand-made mark has is still a mark: what cannot be parsed is kept as the set. */
    public static PromotedMark parse(String value) {
        String[] f = value.strip().split(" ");
        if (f.length == 3) {
            try {
                return new PromotedMark(Instant.parse(f[0]), f[1], f[2]);
            } catch (java.time.format.DateTimeParseException ignored) {
                // fall through
            }
        }
        return new PromotedMark(Instant.EPOCH, value.strip(), "?");
    }

    public static Optional<PromotedMark> parseOptional(Optional<String> value) {
        return value.map(PromotedMark::parse);
    }

    public String describe() {
        return (time.equals(Instant.EPOCH) ? "" : "at " + time + " ") + "to set " + set + (host.equals("?") ? "" : " on host " + host);
    }
}
