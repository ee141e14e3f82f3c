package org.zmsnap.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.zmsnap.zfs.DatasetName;

/**
 * The whole, validated configuration. Built only by {@link ConfigLoader}; no other code parses YAML.
 *
 * @param datasets snapshotted together, atomically, under one database lock; all in one pool
 * @param lockFile the host-wide file lock that keeps two cycles (CLI and daemon) from overlapping
 * @param workDir  where zmsnap mounts the clones it makes for rsync targets
 * @param restore  how restores open snapshots and where they deliver
 * @param verify   zmsnapd's restore drills; absent: none
 */
public record Config(Path source, String host, MariaDbConfig mariadb, List<DatasetName> datasets, ZfsConfig zfs,
                     Map<String, PolicyConfig> policies, Path lockFile,
                     MetricsConfig metrics, Map<String, TargetConfig> targets, Path workDir,
                     RestoreConfig restore, java.util.Optional<VerifyConfig> verify) {
    public static final Path DEFAULT_PATH = Path.of("/etc/zmsnap/zmsnap.yaml");

    public Config {
        datasets = List.copyOf(datasets);
        policies = Map.copyOf(policies);
        targets = Map.copyOf(targets);
    }
}
