package org.zmsnap.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.zmsnap.zfs.DatasetName;

/**
 * A DR target. {@code host: local} receives into another pool on this host without SSH.
 *
 * @param root          DR dataset = root / source dataset without its pool (type zfs)
 * @param path          directory on the DR host (type rsync)
 * @param keep          DR retention per policy; only these policies' sets are sent
 * @param bandwidth     bytes per second, 0 for no cap
 * @param minRate       {@code min-rate}: bytes per second, averaged over {@code stall-timeout}, below which a transfer
 *                      is ended as failed (a trickling sender must not hold the link forever); 0 for none
 * @param maxDuration   {@code max-duration}: how long one run may transfer before it is ended as failed; zero for no limit
 * @param rollbackOnDivergence {@code on-divergence: rollback}: discard target-only snapshots instead of refusing
 * @param rpo           the recovery point objective: alert when the lag exceeds it
 * @param parallelStreams {@code parallel-streams}: how many datasets of a set are sent at once (one bandwidth cap
 *                      for all of them); 1 sends one after another
 * @param prune         {@code prune}: this host applies DR retention on the target (destroys its old snapshots).
 *                      Default true for {@code host: local}, false for a remote target, whose {@code zmsnap serve}
 *                      is append-only unless its admin allows destroy: there the DR host prunes its own copies
 */
public record TargetConfig(String name, Type type, String host, int port, String user, Optional<Path> identity,
                           Optional<Path> knownHosts, Optional<DatasetName> root, Optional<Path> path,
                           List<String> afterSnapshot, Optional<String> schedule, Map<String, Integer> keep,
                           long bandwidth, Duration stallTimeout, Duration commandTimeout,
                           boolean rollbackOnDivergence, String remoteZfs, Duration rpo, boolean prune,
                           long minRate, Duration maxDuration, int parallelStreams) {
    public enum Type { ZFS, RSYNC }

    /**
     * {@code parallel-streams} when the config names none: Zimbra's four datasets at once. Each step's fixed cost
     * (hold, SSH channel, receive start and commit) is most of a small increment's time, and it overlaps.
     */
    public static final int DEFAULT_PARALLEL_STREAMS = 4;

    /** The default number of parallel streams. */
    public TargetConfig(String name, Type type, String host, int port, String user, Optional<Path> identity,
                        Optional<Path> knownHosts, Optional<DatasetName> root, Optional<Path> path,
                        List<String> afterSnapshot, Optional<String> schedule, Map<String, Integer> keep,
                        long bandwidth, Duration stallTimeout, Duration commandTimeout,
                        boolean rollbackOnDivergence, String remoteZfs, Duration rpo, boolean prune,
                        long minRate, Duration maxDuration) {
        this(name, type, host, port, user, identity, knownHosts, root, path, afterSnapshot, schedule, keep, bandwidth,
                stallTimeout, commandTimeout, rollbackOnDivergence, remoteZfs, rpo, prune, minRate, maxDuration,
                DEFAULT_PARALLEL_STREAMS);
    }

    /** {@code min-rate} when the config names none: far below any working link, far above a trickle. */
    public static final long DEFAULT_MIN_RATE = 64 * 1024;

    /** The default {@code min-rate} and no {@code max-duration}. */
    public TargetConfig(String name, Type type, String host, int port, String user, Optional<Path> identity,
                        Optional<Path> knownHosts, Optional<DatasetName> root, Optional<Path> path,
                        List<String> afterSnapshot, Optional<String> schedule, Map<String, Integer> keep,
                        long bandwidth, Duration stallTimeout, Duration commandTimeout,
                        boolean rollbackOnDivergence, String remoteZfs, Duration rpo, boolean prune) {
        this(name, type, host, port, user, identity, knownHosts, root, path, afterSnapshot, schedule, keep, bandwidth,
                stallTimeout, commandTimeout, rollbackOnDivergence, remoteZfs, rpo, prune, DEFAULT_MIN_RATE, Duration.ZERO);
    }

    public TargetConfig {
        afterSnapshot = List.copyOf(afterSnapshot);
        keep = Map.copyOf(keep);
    }

    public boolean local() {
        return host.equals("local");
    }

    /** The DR dataset for a source dataset: root + the source's name without its pool. */
    public DatasetName targetOf(DatasetName source) {
        return under(root.orElseThrow(), source);
    }

    /** The one naming rule of DR copies, for push targets and a DR host's sources alike. */
    public static DatasetName under(DatasetName root, DatasetName source) {
        String rel = source.withoutPool();
        return rel.isEmpty() ? root : root.child(rel);
    }
}
