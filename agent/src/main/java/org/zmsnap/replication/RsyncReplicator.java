package org.zmsnap.replication;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.config.RsyncTarget;
import org.zmsnap.exec.BackgroundProcess;
import org.zmsnap.exec.Command;
import org.zmsnap.exec.CommandResult;
import org.zmsnap.exec.CommandRunner;
import org.zmsnap.exec.SshRunner;
import org.zmsnap.retention.Retention;
import org.zmsnap.snapshot.SnapshotCatalog;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.snapshot.SnapshotTag;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;

/**
 * {@code type: rsync}: for a DR site without ZFS. Each wanted set is cloned read-only, rsynced dataset by dataset
 * over OpenSSH into {@code <path>/<tag>.partial/<dataset leaf>/} with {@code --link-dest} to the previous tag
 * (unchanged files become hard links: every tag is a complete tree at incremental cost), then renamed to
 * {@code <path>/<tag>}. Clones are destroyed at the end of each send, and the next run removes those of a run that was
 * killed. Retention removes old tag directories.
 */
public final class RsyncReplicator {
    private static final Logger LOG = LoggerFactory.getLogger(RsyncReplicator.class);
    /** Paths reach rsync's -e splitting and a remote shell: keep them to characters that need no quoting. */
    private static final Pattern SAFE_PATH = Pattern.compile("/[A-Za-z0-9_./:@+-]*");

    private final Zfs zfs;
    private final CommandRunner local;
    private final SnapshotCatalog catalog;
    private final List<DatasetName> datasets;
    private final Path workDir;

    public RsyncReplicator(Zfs zfs, CommandRunner local, SnapshotCatalog catalog, List<DatasetName> datasets, Path workDir) {
        this.zfs = zfs;
        this.local = local;
        this.catalog = catalog;
        this.datasets = List.copyOf(datasets);
        this.workDir = workDir;
    }

    public ReplicationOutcome replicate(RsyncTarget t, SshRunner remote) {
        Path root = t.path();
        for (Path p : List.of(root, t.identity().orElseThrow(), t.knownHosts().orElseThrow(), workDir)) {
            if (!SAFE_PATH.matcher(p.toString()).matches()) {
                return new ReplicationOutcome.Refused(t.name(), "path " + p + " must be absolute and use only letters, digits and _ . / : @ + -");
            }
        }
        List<SnapshotSet> sets = catalog.sets();
        Set<String> wanted = Replicator.wanted(sets, t.keep());
        List<SnapshotSet> toSend = new ArrayList<>(sets.stream().filter(s -> wanted.contains(s.tag().name())).toList());
        toSend.sort(Comparator.comparing(SnapshotSet::tag));
        CommandResult mk = remote.run(Command.of(t.commandTimeout(), "mkdir", "-p", "--", root.toString()));
        if (!mk.ok()) {
            return new ReplicationOutcome.Failed(t.name(), "cannot create " + root + " on " + remote.where() + ": " + mk.stderr().strip(), 0, List.of());
        }
        try {
            removeLeftovers(t);
        } catch (RuntimeException e) {
            return new ReplicationOutcome.Failed(t.name(), "cannot remove the clones an interrupted run left: " + e.getMessage()
                    + " (zfs list -r -o name,mountpoint | grep " + clonePrefix(t) + ")", 0, List.of());
        }
        List<String> present = tags(remote, t, root);
        List<String> steps = new ArrayList<>();
        long start = System.nanoTime();
        Optional<String> previous = present.stream().max(Comparator.comparing(n -> SnapshotTag.parse(n).orElseThrow()));
        for (SnapshotSet s : toSend) {
            String tag = s.tag().name();
            if (present.contains(tag)) {
                previous = Optional.of(tag);
                continue;
            }
            try {
                send(t, remote, root, s, previous);
            } catch (RuntimeException e) {
                return new ReplicationOutcome.Failed(t.name(), tag + ": " + e.getMessage(), 0, steps);
            }
            steps.add("rsync " + tag + previous.map(p -> " (link-dest " + p + ")").orElse(""));
            previous = Optional.of(tag);
        }
        int destroyed = retain(t, remote, root);
        Optional<String> newest = previous;
        return new ReplicationOutcome.Replicated(t.name(), 0, System.nanoTime() - start, steps, newest,
                newest.flatMap(SnapshotTag::parse).map(SnapshotTag::time), destroyed);
    }

    private List<String> tags(SshRunner remote, RsyncTarget t, Path root) {
        CommandResult r = remote.run(Command.of(t.commandTimeout(), "ls", "-1", "--", root.toString())).orThrow();
        return r.stdout().lines().filter(n -> SnapshotTag.parse(n).isPresent()).toList();
    }

    private void send(RsyncTarget t, SshRunner remote, Path root, SnapshotSet s, Optional<String> previous) {
        String tag = s.tag().name();
        Path partial = root.resolve(tag + ".partial");
        remote.run(Command.of(t.commandTimeout(), "mkdir", "-p", "--", partial.toString())).orThrow();
        Map<DatasetName, DatasetName> clones = new LinkedHashMap<>();
        try {
            for (DatasetName d : datasets) {
                String leaf = leaf(d);
                DatasetName clone = DatasetName.of(d.pool() + "/" + clonePrefix(t) + leaf + "-" + s.tag().time().getEpochSecond());
                Path mnt = mountOf(clone);
                zfs.clone(d.at(tag), clone, Map.of("readonly", "on", "mountpoint", mnt.toString()));
                clones.put(d, clone);
                List<String> argv = new ArrayList<>(List.of("rsync", "-a", "--delete", "--numeric-ids", "-H",
                        "-e", ssh(t)));
                previous.ifPresent(p -> argv.add("--link-dest=" + root.resolve(p).resolve(leaf)));
                if (t.bandwidth() > 0) {
                    argv.add("--bwlimit=" + Math.max(1, t.bandwidth() / 1024));
                }
                argv.add(mnt + "/");
                argv.add(t.user() + "@" + t.host() + ":" + partial.resolve(leaf) + "/");
                CommandResult r = local.run(new Command(argv, Duration.ofHours(24)));
                if (!r.ok()) {
                    throw new IllegalStateException("rsync of " + d + " failed (exit " + r.exitCode() + "): " + r.stderr().strip());
                }
            }
            remote.run(Command.of(t.commandTimeout(), "mv", "-T", "--", partial.toString(), root.resolve(tag).toString())).orThrow();
            LOG.info("rsync target {}: {} complete", t.name(), tag);
        } finally {
            for (DatasetName c : clones.values()) {
                try {
                    zfs.destroyFilesystem(c);
                } catch (RuntimeException e) {
                    LOG.error("could not destroy clone {}: {} (remove it with: zfs destroy -r {})", c, e.getMessage(), c);
                }
            }
        }
    }

    /** rsync splits -e on whitespace itself (no shell): every part was checked to hold none. */
    private static String ssh(RsyncTarget t) {
        return String.join(" ", List.of("ssh", "-F", "/dev/null", "-p", Integer.toString(t.port()),
                "-i", t.identity().orElseThrow().toString(), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + t.knownHosts().orElseThrow(),
                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "ConnectTimeout=" + Math.max(1, t.commandTimeout().toSeconds())));
    }

    /** The target is in the name: two rsync targets never share a clone, and a run finds its own leftovers. */
    private static String clonePrefix(RsyncTarget t) {
        return "zmsnap-rsync-" + t.name() + "-";
    }

    private Path mountOf(DatasetName clone) {
        return workDir.resolve(clone.value().replace('/', '_'));
    }

    /**
     * What a run killed with SIGKILL left (its finally never ran): this target's clones, perhaps still read by the
     * rsync it started, which outlives it. A leftover pins its snapshot, so retention cannot destroy that set, and the
     * same tag's clone would fail with "already exists" on every later run. Called under the target's link lock, so
     * no other run of this target is using them.
     */
    private void removeLeftovers(RsyncTarget t) {
        for (String pool : datasets.stream().map(DatasetName::pool).distinct().toList()) {
            for (DatasetName d : zfs.childrenNamed(pool, clonePrefix(t))) {
                for (BackgroundProcess p : BackgroundProcess.withArgument(mountOf(d) + "/")) {
                    LOG.warn("rsync target {}: stopping {} left reading {} by an interrupted run", t.name(), p, mountOf(d));
                    p.stop(Duration.ZERO);
                }
                zfs.destroyFilesystem(d);
                LOG.warn("rsync target {}: removed the clone {} an interrupted run left", t.name(), d);
            }
        }
    }

    static String leaf(DatasetName d) {
        String v = d.value();
        return v.substring(v.lastIndexOf('/') + 1);
    }

    /** The one retention rule over the tag directories; the newest copy (the next --link-dest base) always stays. */
    private int retain(RsyncTarget t, SshRunner remote, Path root) {
        List<SnapshotTag> present = tags(remote, t, root).stream().map(n -> SnapshotTag.parse(n).orElseThrow()).toList();
        Set<SnapshotTag> kept = Retention.newest(present, t.keep());
        Optional<SnapshotTag> newest = present.stream().max(Comparator.naturalOrder());
        int destroyed = 0;
        for (SnapshotTag tag : present) {
            if (t.keep().containsKey(tag.policy()) && !kept.contains(tag) && !newest.equals(Optional.of(tag))) {
                remote.run(Command.of(t.commandTimeout(), "rm", "-rf", "--", root.resolve(tag.name()).toString())).orThrow();
                destroyed++;
            }
        }
        return destroyed;
    }
}
