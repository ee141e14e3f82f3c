package org.zmsnap.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.zmsnap.zfs.DatasetName;

/**
 * A mailbox host whose copies this DR host keeps ({@code sources:} in the DR host's config).
 *
 * @param datasets    the dataset names on the mailbox host, as its own config lists them
 * @param root        where they are received here: root / dataset without its pool
 * @param keep        DR-side retention per policy; run here, by this host, never by the mailbox host
 * @param pull        present: this host fetches through {@code zmsnap serve --send-only} on the mailbox host;
 *                    absent: the mailbox host pushes through {@code zmsnap serve} here
 * @param mountpoints where {@code zmsnap promote} mounts each dataset (by its name on the mailbox host); an
 *                    absent entry uses the mountpoint replication recorded from the mailbox host
 * @param rpo         alert when the newest received set is older than this
 * @param pruneSchedule Quartz cron of zmsnapd's DR-side retention for this source (a pull also prunes after it)
 */
public record SourceConfig(String name, List<DatasetName> datasets, DatasetName root, Map<String, Integer> keep,
                           Optional<Pull> pull, Map<DatasetName, Path> mountpoints, Duration rpo, String pruneSchedule) {
    public SourceConfig {
        datasets = List.copyOf(datasets);
        keep = Map.copyOf(keep);
        mountpoints = Map.copyOf(mountpoints);
    }

    /** The copy of a mailbox-host dataset here. The same naming rule as a push target's. */
    public DatasetName copyOf(DatasetName source) {
        return TargetConfig.under(root, source);
    }

    public List<DatasetName> copies() {
        return datasets.stream().map(this::copyOf).toList();
    }

    /**
     * How to reach the mailbox host for a pull.
     *
     * @param schedule Quartz cron for zmsnapd; absent: only {@code zmsnap pull} runs it
     * @param zfs      the zfs program on the mailbox host
     * @param minRate  {@code min-rate}, as a target's ({@link TargetConfig#minRate()})
     * @param maxDuration {@code max-duration}, as a target's ({@link TargetConfig#maxDuration()})
     */
    public record Pull(String host, int port, String user, Path identity, Path knownHosts, Optional<String> schedule,
                       long bandwidth, Duration stallTimeout, Duration commandTimeout, String zfs, long minRate,
                       Duration maxDuration) {
        /** The default {@code min-rate} and no {@code max-duration}. */
        public Pull(String host, int port, String user, Path identity, Path knownHosts, Optional<String> schedule,
                    long bandwidth, Duration stallTimeout, Duration commandTimeout, String zfs) {
            this(host, port, user, identity, knownHosts, schedule, bandwidth, stallTimeout, commandTimeout, zfs,
                    TargetConfig.DEFAULT_MIN_RATE, Duration.ZERO);
        }
    }
}
