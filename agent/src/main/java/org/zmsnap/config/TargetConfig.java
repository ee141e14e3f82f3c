package org.zmsnap.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.zmsnap.zfs.DatasetName;

/**
 * A DR target: {@code type: zfs} ({@link ZfsTarget}) or {@code type: rsync} ({@link RsyncTarget}). What both kinds
 * have is here; what only one has is on its record, so code that needs a ZFS root takes a {@link ZfsTarget}.
 * {@code host: local} receives into another pool on this host without SSH (zfs only).
 *
 * <p>Components both kinds have:
 * <ul>
 * <li>{@code keep}: DR retention per policy; only these policies' sets are sent</li>
 * <li>{@code bandwidth}: bytes per second, 0 for no cap</li>
 * <li>{@code minRate}: {@code min-rate}, bytes per second, averaged over {@code stall-timeout}, below which a transfer
 *     is ended as failed (a trickling sender must not hold the link forever); 0 for none</li>
 * <li>{@code maxDuration}: {@code max-duration}, how long one run may transfer before it is ended as failed; zero for
 *     no limit</li>
 * <li>{@code rpo}: the recovery point objective: alert when the lag exceeds it</li>
 * </ul>
 */
public sealed interface TargetConfig permits ZfsTarget, RsyncTarget {
    /** {@code min-rate} when the config names none: far below any working link, far above a trickle. */
    long DEFAULT_MIN_RATE = 64 * 1024;

    String name();

    String host();

    int port();

    String user();

    Optional<Path> identity();

    Optional<Path> knownHosts();

    List<String> afterSnapshot();

    Optional<String> schedule();

    Map<String, Integer> keep();

    long bandwidth();

    Duration stallTimeout();

    Duration commandTimeout();

    Duration rpo();

    long minRate();

    Duration maxDuration();

    default boolean local() {
        return host().equals("local");
    }

    /** The one naming rule of DR copies, for push targets and a DR host's sources alike. */
    static DatasetName under(DatasetName root, DatasetName source) {
        String rel = source.withoutPool();
        return rel.isEmpty() ? root : root.child(rel);
    }
}
