package org.zmsnap.snapshot;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name every dataset's snapshot of one set shares: {@code zmsnap_<policy>_<UTC time>}, e.g.
 * {@code zmsnap_hourly_2026-11-22T14:00:00Z}. Only snapshots named like this are zmsnap's to destroy.
 */
public record SnapshotTag(String policy, Instant time) implements Comparable<SnapshotTag> {
    public static final String PREFIX = "zmsnap_";
    private static final Pattern POLICY = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final Pattern FORMAT = Pattern.compile("zmsnap_([a-z][a-z0-9-]{0,31})_(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z)");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    public SnapshotTag {
        if (!POLICY.matcher(policy).matches()) {
            throw new IllegalArgumentException("invalid policy name '" + policy
                    + "': lowercase letters, digits and '-', starting with a letter, at most 32 characters");
        }
        time = time.truncatedTo(ChronoUnit.SECONDS);
    }

    public static Optional<SnapshotTag> parse(String snapshotName) {
        Matcher m = FORMAT.matcher(snapshotName);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new SnapshotTag(m.group(1), Instant.parse(m.group(2))));
    }

    public String name() {
        return PREFIX + policy + "_" + TIME.format(time);
    }

    @Override
    public int compareTo(SnapshotTag o) {
        int c = time.compareTo(o.time);
        return c != 0 ? c : policy.compareTo(o.policy);
    }

    @Override
    public String toString() {
        return name();
    }
}
