package org.zmsnap.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.config.Config;
import org.zmsnap.config.RsyncTarget;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.snapshot.HostLock;
import org.zmsnap.snapshot.SnapshotCatalog;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zfs.ZfsException;

/**
 * One replication run to one target, as the CLI and the daemon start it: a per-target lock (two runs to the
 * same target never overlap; snapshot cycles are not blocked), connect, replicate, and record the result as a
 * ZFS user property on the first source dataset ({@code org.zmsnap:target.<name>}), so it survives restarts.
 */
public final class ReplicationRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationRunner.class);
    public static final String RESULT_PREFIX = "org.zmsnap:target.";

    private final Config config;
    private final Zfs zfs;
    private final SnapshotCatalog catalog;

    public ReplicationRunner(Config config, Zfs zfs, SnapshotCatalog catalog) {
        this.config = config;
        this.zfs = zfs;
        this.catalog = catalog;
    }

    public ReplicationOutcome run(TargetConfig target, boolean forceRollback) {
        return run(target, forceRollback, TransferProgress.NONE);
    }

    /** The same run, telling {@code progress} how its streams move (zfs targets; rsync reports none). */
    public ReplicationOutcome run(TargetConfig target, boolean forceRollback, TransferProgress progress) {
        ReplicationOutcome outcome;
        java.nio.file.Path lock = config.linkLock("target", target.name());
        try (HostLock ignored = HostLock.acquire(lock, "replication to " + target.name(), Duration.ofSeconds(10))) {
            // Before connecting: with nothing eligible the run has nothing to do, and must say so, not "up to date".
            Optional<String> nothing = Eligibility.nothingEligible(target.name(), catalog.sets(), target.keep());
            if (nothing.isPresent()) {
                outcome = new ReplicationOutcome.NothingEligible(target.name(), nothing.get());
            } else {
                outcome = target instanceof ZfsTarget z ? zfsSend(z, forceRollback, progress) : rsync((RsyncTarget) target);
            }
        } catch (RuntimeException e) {
            outcome = new ReplicationOutcome.Failed(target.name(), e.getMessage(), 0, java.util.List.of());
        }
        record(target, outcome);
        return outcome;
    }

    private ReplicationOutcome zfsSend(ZfsTarget target, boolean forceRollback, TransferProgress progress) {
        try (TargetEndpoint ep = TargetEndpoint.open(target, zfs.gate())) {
            return new Replicator(SourceEndpoint.thisHost(zfs, config.zfs().command()), catalog, config.datasets()).withProgress(progress)
                    .replicate(target, ep, forceRollback);
        }
    }

    private ReplicationOutcome rsync(RsyncTarget target) {
        try (org.zmsnap.exec.SshRunner ssh = org.zmsnap.exec.SshRunner.connect(target.host(), target.port(), target.user(),
                target.identity().orElseThrow(), target.knownHosts().orElseThrow(), target.commandTimeout())) {
            java.nio.file.Files.createDirectories(config.workDir());
            return new RsyncReplicator(zfs, new org.zmsnap.exec.LocalCommandRunner(), catalog, config.datasets(), config.workDir())
                    .replicate(target, ssh);
        } catch (java.io.IOException e) {
            return new ReplicationOutcome.Failed(target.name(), "cannot create work-dir " + config.workDir() + ": " + e.getMessage(), 0, java.util.List.of());
        }
    }

    /** The last run, as {@link LastRun} writes it, read back by {@link #lastRun}. */
    private void record(TargetConfig target, ReplicationOutcome o) {
        try {
            DatasetName first = config.datasets().get(0);
            zfs.set(first, RESULT_PREFIX + target.name(), LastRun.of(o, Instant.now()).format());
        } catch (ZfsException e) {
            LOG.warn("could not record the replication result for {}: {}", target.name(), e.getMessage());
        }
    }

    /**
     * What the target holds now, read from both sides: the newest set every dataset has in common with the source
     * ({@link ReplicationPlan#newestCommonSet}), and the lag (RPO): now minus that set's creation.
     */
    public record Status(Optional<String> newestCommon, Optional<Instant> newestCommonCreation, Optional<String> error) {
        public Optional<Duration> lag(Instant now) {
            return newestCommonCreation.map(c -> Duration.between(c, now));
        }
    }

    public Status status(TargetConfig target) {
        if (!(target instanceof ZfsTarget zfsTarget)) {
            Optional<String> tag = lastRun(target).flatMap(LastRun::newestCommon);
            return new Status(tag, tag.flatMap(org.zmsnap.snapshot.SnapshotTag::parse).map(org.zmsnap.snapshot.SnapshotTag::time),
                    Optional.empty());
        }
        try (TargetEndpoint ep = TargetEndpoint.open(zfsTarget, zfs.gate())) {
            List<ReplicationPlan.Sides> sides = new java.util.ArrayList<>();
            for (DatasetName d : config.datasets()) {
                DatasetName dst = zfsTarget.targetOf(d);
                if (!ep.zfs().missing(List.of(dst)).isEmpty()) {
                    return new Status(Optional.empty(), Optional.empty(), Optional.empty());
                }
                List<org.zmsnap.zfs.SnapshotInfo> here = zfs.snapshots(d, List.of());
                List<org.zmsnap.zfs.SnapshotInfo> there = ep.zfs().snapshots(dst, List.of());
                if (ReplicationPlan.newestCommon(here, there).isEmpty()) {
                    return new Status(Optional.empty(), Optional.empty(), Optional.of(dst + " shares no snapshot with " + d));
                }
                sides.add(new ReplicationPlan.Sides(here, there));
            }
            // The lag runs from the set's own snapshots: the oldest creation among its datasets, when the set began.
            Optional<String> set = ReplicationPlan.newestCommonSet(sides);
            Optional<Instant> created = set.flatMap(name -> sides.stream().flatMap(x -> x.source().stream())
                    .filter(s -> s.name().snapshot().equals(name)).map(org.zmsnap.zfs.SnapshotInfo::creation)
                    .min(Comparator.naturalOrder()));
            return new Status(set, created, Optional.empty());
        } catch (RuntimeException e) {
            return new Status(Optional.empty(), Optional.empty(), Optional.of(e.getMessage()));
        }
    }

    /** The last recorded run: result, time, bytes, newest common tag. */
    public Optional<LastRun> lastRun(TargetConfig target) {
        return zfs.getProperty(config.datasets().get(0), RESULT_PREFIX + target.name()).flatMap(LastRun::parse);
    }
}
