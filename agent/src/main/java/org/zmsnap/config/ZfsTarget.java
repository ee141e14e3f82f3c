package org.zmsnap.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.zmsnap.zfs.DatasetName;

/**
 * A {@code type: zfs} target: snapshots are sent with {@code zfs send} and received under {@code root}. The common
 * components are described on {@link TargetConfig}.
 *
 * @param root          DR dataset = root / source dataset without its pool
 * @param rollbackOnDivergence {@code on-divergence: rollback}: discard target-only snapshots instead of refusing
 * @param remoteZfs     {@code zfs-command}: the zfs program on the receiving side
 * @param prune         {@code prune}: this host applies DR retention on the target (destroys its old snapshots).
 *                      Default true for {@code host: local}, false for a remote target, whose {@code zmsnap serve}
 *                      is append-only unless its admin allows destroy: there the DR host prunes its own copies
 * @param parallelStreams {@code parallel-streams}: how many datasets of a set are sent at once (one bandwidth cap
 *                      for all of them); 1 sends one after another
 */
public record ZfsTarget(String name, String host, int port, String user, Optional<Path> identity,
                        Optional<Path> knownHosts, DatasetName root, List<String> afterSnapshot,
                        Optional<String> schedule, Map<String, Integer> keep, long bandwidth, Duration stallTimeout,
                        Duration commandTimeout, boolean rollbackOnDivergence, String remoteZfs, Duration rpo,
                        boolean prune, long minRate, Duration maxDuration, int parallelStreams) implements TargetConfig {
    /**
     * {@code parallel-streams} when the config names none: Zimbra's four datasets at once. Each step's fixed cost
     * (hold, SSH channel, receive start and commit) is most of a small increment's time, and it overlaps.
     */
    public static final int DEFAULT_PARALLEL_STREAMS = 4;

    public ZfsTarget {
        afterSnapshot = List.copyOf(afterSnapshot);
        keep = Map.copyOf(keep);
    }

    /** The DR dataset for a source dataset: root + the source's name without its pool. */
    public DatasetName targetOf(DatasetName source) {
        return TargetConfig.under(root, source);
    }
}
