package org.zmsnap.failback;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * {@code org.zmsnap:failback-grant} on a source's root on the DR host: {@code <until UTC> <granted by host>}. While
 * it is there and not expired, that source's {@code zmsnap serve} key may also read its copies back (sends, holds) —
 * the one extra right a failback needs. Only the DR admin sets it ({@code zmsnap failback grant}); the key itself can
 * never set it (serve allows {@code zfs set} of readonly and the source mountpoint only).
 */
public record FailbackGrant(Instant until, String by) {
    public static final String PROPERTY = "org.zmsnap:failback-grant";
    /** Long enough for a large resend, short enough that a forgotten grant does not become a standing right. */
    public static final Duration MAX = Duration.ofDays(7);

    public String value() {
        return until + " " + by;
    }

    public boolean active(Instant now) {
        return now.isBefore(until);
    }

    /** Whether a property value grants a failback now: set, readable and not expired. */
    public static boolean inForce(Optional<String> value, Instant now) {
        return parse(value).map(g -> g.active(now)).orElse(false);
    }

    /** Empty for an unset or unreadable value: a grant that cannot be read grants nothing. */
    public static Optional<FailbackGrant> parse(Optional<String> value) {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String[] f = value.get().strip().split(" ", 2);
        try {
            return Optional.of(new FailbackGrant(Instant.parse(f[0]), f.length > 1 ? f[1] : "?"));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
