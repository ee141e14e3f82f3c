package org.zmsnap.restore.session;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.zmsnap.config.Config;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.config.RsyncTarget;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zimbra.RestoreUsageException;

/**
 * Whose snapshot sets a restore opens: the configured datasets on this host, or ({@code --target NAME}) the DR
 * copies replication made of them under a ZFS target's root.
 *
 * <p>A target's copies are opened where they are, because a restore clones them and runs a sandbox MariaDB on
 * the clone: that happens on this host when the target is {@code host: local}, or when its root dataset exists
 * here and none of the configured source datasets does (this is the DR host, running the mailbox host's
 * config). Otherwise the copies are on another host ({@link #remote()}): their snapshots can be listed over SSH,
 * and the restore is refused with the command to run on the DR host.
 *
 * @param datasets  what the sets are made of here: the configured datasets, or their DR copies
 * @param livePaths for a DR copy whose source dataset exists on this host, the source's mountpoint: the path
 *                  the snapshot's own volume table and datadir refer to. Unknown (absent) on a DR host.
 */
public record RestoreSource(String key, String describe, Optional<ZfsTarget> target, boolean remote, List<DatasetName> datasets,
                            Map<DatasetName, Path> livePaths) {
    public RestoreSource {
        datasets = List.copyOf(datasets);
        livePaths = Map.copyOf(livePaths);
    }

    public static RestoreSource local(Config cfg) {
        cfg.requireMailboxHost("opening this host's own sets");
        return new RestoreSource("local", "this host", Optional.empty(), false, cfg.datasets(), Map.of());
    }

    /**
     * {@code --source NAME} on a DR host: the copies it keeps of that mailbox host, opened here. Their paths on the
     * mailbox host are not known here, so the snapshot's volume table is mapped by the datasets' layout.
     */
    public static RestoreSource ofSource(Config cfg, Zfs zfs, String name) {
        SourceConfig s = cfg.source(name);
        List<DatasetName> missing = zfs.missing(s.copies());
        if (!missing.isEmpty()) {
            throw new RestoreUsageException("source '" + name + "': the copies " + missing + " do not exist on this host"
                    + " (has a pull or push for it run yet? 'zmsnap sources' shows what is here)");
        }
        return new RestoreSource("source:" + name + ":" + s.root(), "source " + name + " (" + s.root() + " on this host)",
                Optional.empty(), false, s.copies(), Map.of());
    }

    /** A DR copy (of a target or a source) rather than this host's own datasets. */
    public boolean copies() {
        return !key.equals("local");
    }

    /** @throws RestoreUsageException for an unknown target name or one that holds no ZFS snapshots */
    public static RestoreSource of(Config cfg, Zfs zfs, Optional<String> targetName) {
        if (targetName.isEmpty()) {
            return local(cfg);
        }
        String name = targetName.get();
        TargetConfig configured = cfg.targets().get(name);
        if (configured == null) {
            throw new RestoreUsageException(cfg.targets().isEmpty()
                    ? "--target " + name + ": no targets are configured (the 'targets' section of " + cfg.source() + ")"
                    : "--target: unknown target '" + name + "'; configured: " + String.join(", ", cfg.targets().keySet().stream().sorted().toList()));
        }
        if (configured instanceof RsyncTarget r) {
            throw new RestoreUsageException("target '" + name + "' is an rsync target: it holds plain file trees, not ZFS snapshots"
                    + " with a database to open. To restore from an rsync target, browse the copied files directly on "
                    + r.host() + " under " + r.path() + "/<tag>/"
                    + " (each tag directory is a complete copy of the datasets).");
        }
        ZfsTarget t = (ZfsTarget) configured;
        List<DatasetName> copies = cfg.datasets().stream().map(t::targetOf).toList();
        boolean here = t.local();
        List<DatasetName> sourcesMissing = zfs.missing(cfg.datasets());
        if (!here) {
            boolean rootHere = zfs.missing(List.of(t.root())).isEmpty();
            here = rootHere && sourcesMissing.size() == cfg.datasets().size();
        }
        if (!here) {
            return new RestoreSource(key(t), describe(t, true), Optional.of(t), true, copies, Map.of());
        }
        List<DatasetName> missing = zfs.missing(copies);
        if (!missing.isEmpty()) {
            throw new RestoreUsageException("target '" + name + "': the DR copies " + missing + " do not exist on this host"
                    + " (has 'zmsnap replicate --target " + name + "' run?)");
        }
        Map<DatasetName, Path> live = new LinkedHashMap<>();
        for (DatasetName s : cfg.datasets()) {
            if (!sourcesMissing.contains(s)) {
                zfs.getProperty(s, "mountpoint").filter(m -> m.startsWith("/")).ifPresent(m -> live.put(t.targetOf(s), Path.of(m)));
            }
        }
        return new RestoreSource(key(t), describe(t, false), Optional.of(t), false, copies, live);
    }

    /** Recorded in each session, so a kept session is reused only for the same source. */
    private static String key(ZfsTarget t) {
        return "target:" + t.name() + ":" + t.root().value();
    }

    private static String describe(ZfsTarget t, boolean remote) {
        return "target " + t.name() + " (" + t.root().value() + " on " + (remote ? t.host() : "this host") + ")";
    }

    /** Where a restore's clones go, and where --cleanup looks for stray ones. */
    public String pool() {
        return datasets.get(0).pool();
    }
}
