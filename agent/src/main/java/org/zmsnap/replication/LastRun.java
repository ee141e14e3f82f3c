package org.zmsnap.replication;

import java.time.Instant;
import java.util.Optional;

/**
 * The last run of a DR link as it is kept in a ZFS user property (so it survives restarts):
 * {@code <result> <ISO time> <bytes> <newest common tag or ->}.
 */
public record LastRun(String result, Instant time, long bytes, Optional<String> newestCommon) {
    public static LastRun of(ReplicationOutcome o, Instant now) {
        if (o instanceof ReplicationOutcome.Replicated r) {
            return new LastRun("ok", now, r.bytes(), r.newestCommon());
        }
        if (o instanceof ReplicationOutcome.Refused) {
            return new LastRun("refused", now, 0, Optional.empty());
        }
        return new LastRun("failed", now, ((ReplicationOutcome.Failed) o).bytes(), Optional.empty());
    }

    public String format() {
        return result + " " + time + " " + bytes + " " + newestCommon.orElse("-");
    }

    public static Optional<LastRun> parse(String v) {
        String[] f = v.split(" ");
        if (f.length < 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LastRun(f[0], Instant.parse(f[1]), Long.parseLong(f[2]), f[3].equals("-") ? Optional.empty() : Optional.of(f[3])));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
