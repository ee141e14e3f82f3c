package org.zmsnap.replication;

import java.time.Instant;
import java.util.Optional;

/**
 * The last run of a DR link (a push target or a pulled source) as it is kept in a ZFS user property, so it
 * survives restarts: {@code <result> <ISO time> <bytes> <newest common tag or -> [<reason>]}.
 *
 * @param result one of {@link ReplicationOutcome#RESULTS}
 * @param reason why it was not a success
 */
public record LastRun(String result, Instant time, long bytes, Optional<String> newestCommon, Optional<String> reason) {
    /** Longest reason kept in the property (ZFS user property values are limited; the log has it whole). */
    private static final int REASON_MAX = 1000;

    public static LastRun of(ReplicationOutcome o, Instant now) {
        long bytes = o instanceof ReplicationOutcome.Replicated r ? r.bytes() : o instanceof ReplicationOutcome.Failed f ? f.bytes() : 0;
        Optional<String> common = o instanceof ReplicationOutcome.Replicated r ? r.newestCommon() : Optional.empty();
        String reason = o.reason().replaceAll("[^\\x20-\\x7E]", "?");
        return new LastRun(o.result(), now, bytes, common,
                reason.isEmpty() ? Optional.empty() : Optional.of(reason.length() > REASON_MAX ? reason.substring(0, REASON_MAX) : reason));
    }

    public String format() {
        return result + " " + time + " " + bytes + " " + newestCommon.orElse("-") + reason.map(r -> " " + r).orElse("");
    }

    public static Optional<LastRun> parse(String v) {
        String[] f = v.split(" ", 5);
        if (f.length < 4) {
            return Optional.empty();
        }
        try {
            // "ok" is how versions before the one vocabulary recorded a success
            String result = f[0].equals("ok") ? ReplicationOutcome.REPLICATED : f[0];
            return Optional.of(new LastRun(result, Instant.parse(f[1]), Long.parseLong(f[2]),
                    f[3].equals("-") ? Optional.empty() : Optional.of(f[3]), f.length == 5 ? Optional.of(f[4]) : Optional.empty()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
