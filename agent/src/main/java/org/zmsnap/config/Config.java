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
 * @param sources  on a DR host: the mailbox hosts whose copies it keeps (empty on a plain mailbox host)
 * @param verify   zmsnapd's restore drills; absent: none
 */
public record Config(Path source, String host, MariaDbConfig mariadb, List<DatasetName> datasets, ZfsConfig zfs,
                     Map<String, PolicyConfig> policies, Path lockFile,
                     MetricsConfig metrics, Map<String, TargetConfig> targets, Path workDir,
                     RestoreConfig restore, Map<String, SourceConfig> sources, java.util.Optional<VerifyConfig> verify) {
    public static final Path DEFAULT_PATH = Path.of("/etc/zmsnap/zmsnap.yaml");

    public Config {
        datasets = List.copyOf(datasets);
        policies = Map.copyOf(policies);
        targets = Map.copyOf(targets);
        sources = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sources));
    }

    /**
     * The lock file that keeps two runs for one DR link apart (a push to a target, a pull from or a promotion of
     * a source): beside the cycle lock, so snapshot cycles are never blocked by a transfer.
     */
    public Path linkLock(String kind, String name) {
        return lockFile.resolveSibling(lockFile.getFileName() + "." + kind + "." + name);
    }

    /** A mailbox host snapshots its own datasets; a DR host with only {@code sources} has none. */
    public boolean mailboxHost() {
        return !datasets.isEmpty();
    }

    /** @throws ConfigException naming {@code command} when this is a DR host's config without datasets */
    public void requireMailboxHost(String command) {
        if (!mailboxHost()) {
            throw new ConfigException("datasets", source + " is a DR host's config (only 'sources'): '" + command
                    + "' needs a mailbox host's 'datasets' and 'mariadb'. On a DR host use the --source NAME form"
                    + " (sources here: " + String.join(", ", sources.keySet()) + ")");
        }
    }

    /** @throws ConfigException for an unknown source, naming the configured ones */
    public SourceConfig source(String name) {
        SourceConfig s = sources.get(name);
        if (s == null) {
            throw new ConfigException("sources", sources.isEmpty()
                    ? "no sources are configured in " + source + " (--source is for a DR host's config; see docs/replication.md)"
                    : "unknown source '" + name + "'; configured: " + String.join(", ", sources.keySet()));
        }
        return s;
    }
}
