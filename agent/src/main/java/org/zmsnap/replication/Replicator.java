package org.zmsnap.replication;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.exec.CommandException;
import org.zmsnap.exec.SshRunner;
import org.zmsnap.replication.StepExecutor.ReplicationException;
import org.zmsnap.retention.Decision;
import org.zmsnap.retention.Retention;
import org.zmsnap.snapshot.SnapshotCatalog;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.snapshot.SnapshotTag;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;
import org.zmsnap.zfs.SnapshotName;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zfs.ZfsException;

/**
 * Brings a ZFS target up to date from a source, whichever hosts play the two roles (push: this host to a DR host;
 * pull: a mailbox host to this one; failback: the DR copies back to this host): list both ends → resume what was
 * interrupted → plan every dataset ({@link ReplicationPlan}; refuse before touching anything) → per dataset: roll back
 * only if allowed, each step through the {@link StepExecutor}, readonly on a seed, the source hold
 * {@code zmsnap:<target>} moved to the new common snapshot → DR retention where the target allows it ({@code prune})
 * → the outcome. Every failure ends as an outcome with the bytes and datasets the run got through.
 */
public final class Replicator {
    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);
    /** On a DR copy: the source dataset's mountpoint on the mailbox host, recorded at the seed. */
    public static final String SOURCE_MOUNTPOINT = "org.zmsnap:source-mountpoint";

    private final SourceEndpoint source;
    private final SnapshotCatalog catalog;
    private final List<DatasetName> datasets;
    private final TransferProgress progress;

    /**
     * @param catalog  the source's sets, read through {@code source}'s ZFS
     * @param datasets the source datasets to replicate
     */
    public Replicator(SourceEndpoint source, SnapshotCatalog catalog, List<DatasetName> datasets) {
        this(source, catalog, datasets, TransferProgress.NONE);
    }

    private Replicator(SourceEndpoint source, SnapshotCatalog catalog, List<DatasetName> datasets, TransferProgress progress) {
        this.source = source;
        this.catalog = catalog;
        this.datasets = List.copyOf(datasets);
        this.progress = progress;
    }

    /** The same replicator, telling {@code p} how its streams move. */
    public Replicator withProgress(TransferProgress p) {
        return new Replicator(source, catalog, datasets, p);
    }

    public static String holdTag(ZfsTarget t) {
        return "zmsnap:" + t.name();
    }

    /** The sets the target's retention wants: per policy in its keep, the newest N complete sets (by name). */
    static Set<String> wanted(List<SnapshotSet> sets, Map<String, Integer> keep) {
        Set<String> out = new HashSet<>();
        Retention.wanted(sets, keep).forEach(t -> out.add(t.name()));
        return out;
    }

    /** One run to one target. Every failure ends as an outcome with the bytes the run sent. */
    public ReplicationOutcome replicate(ZfsTarget t, TargetEndpoint target, boolean forceRollback) {
        return replicate(t, target, forceRollback, CopyNaming.of(t));
    }

    /** The same run with another naming of the receiving datasets (a failback receives into the old host's names). */
    public ReplicationOutcome replicate(ZfsTarget t, TargetEndpoint target, boolean forceRollback, CopyNaming naming) {
        Tally tally = new Tally();
        try {
            return run(t, target, forceRollback, naming, tally);
        } catch (RuntimeException ex) {
            // Whatever stopped the run outside a stream (a listing, a resume's abort, a container, a connection cut
            // between calls), it ends as an outcome with what was already sent and which datasets are done.
            tally.failedStep(ex);
            return new ReplicationOutcome.Failed(t.name(), Objects.toString(ex.getMessage(), ex.toString()), tally.bytes(),
                    tally.done());
        }
    }

    private ReplicationOutcome run(ZfsTarget t, TargetEndpoint target, boolean forceRollback, CopyNaming naming, Tally tally) {
        // One listing of the source serves the sets (what the target wants) and the plans (by GUID, foreign
        // snapshots included): over SSH, in pull mode, every call is a round trip and a forced-command start.
        Map<DatasetName, List<SnapshotInfo>> listing = catalog.listing();
        List<SnapshotSet> sets = SnapshotCatalog.group(catalog.datasets(), listing);
        Optional<String> nothing = Eligibility.nothingEligible(t.name(), sets, t.keep());
        if (nothing.isPresent()) {
            return new ReplicationOutcome.NothingEligible(t.name(), nothing.get());
        }
        // One listing of the whole DR subtree: every remote call costs a round trip (and, behind a forced
        // command, a process start), so a no-change run stays cheap.
        Zfs.Tree remote = target.tree(naming.treeRoot());
        // One pump for the whole run, resumed transfers included: its cap, minimum rate and max-duration are the run's.
        StepExecutor executor = new StepExecutor(source, target,
                new StreamPump(t.bandwidth(), t.stallTimeout(), t.minRate(), t.maxDuration(), t.commandTimeout()), progress,
                holdTag(t), t.commandTimeout());
        if (target.features().resumableReceive() && resumeInterrupted(executor, target, remote, naming, tally)) {
            remote = target.tree(naming.treeRoot());
        }
        Map<DatasetName, ReplicationPlan> plans = new LinkedHashMap<>();
        Set<String> wanted = wanted(sets, t.keep());
        for (DatasetName d : datasets) {
            DatasetName dst = naming.copyOf().apply(d);
            Optional<List<SnapshotInfo>> dstSnaps = remote.datasets().contains(dst)
                    ? Optional.of(remote.snapshotsOf(dst)) : Optional.empty();
            ReplicationPlan p = ReplicationPlan.plan(listing.getOrDefault(d, List.of()), dstSnaps, wanted,
                    forceRollback || t.rollbackOnDivergence());
            if (p instanceof ReplicationPlan.Refused r) {
                return new ReplicationOutcome.Refused(t.name(), dst + " on " + target.where() + ": " + r.reason());
            }
            plans.put(d, p);
        }
        long start = System.nanoTime();
        createParents(target, plans, naming, remote);
        // The datasets of a set go in parallel streams (bounded; one cap for all, the pump's): each step's fixed
        // costs (hold, SSH channel, receive start and commit, behind a forced command a process start) overlap.
        List<DatasetRun> runs = inParallel(plans, t.parallelStreams(), (d, p) -> replicateDataset(t, target, executor, d, p,
                naming.copyOf().apply(d), listing.getOrDefault(d, List.of()), tally));
        List<String> steps = new ArrayList<>();
        List<String> done = new ArrayList<>();
        Map<DatasetName, SnapshotInfo> newest = new LinkedHashMap<>();
        List<ReplicationPlan.Sides> after = new ArrayList<>();
        Map<DatasetName, String> failures = new LinkedHashMap<>();
        for (DatasetRun r : runs) {
            steps.addAll(r.steps());
            r.newest().ifPresent(n -> newest.put(r.dataset(), n));
            DatasetName dst = naming.copyOf().apply(r.dataset());
            List<SnapshotInfo> onTarget = new ArrayList<>(remote.datasets().contains(dst) ? remote.snapshotsOf(dst) : List.of());
            onTarget.addAll(r.received());
            after.add(new ReplicationPlan.Sides(listing.getOrDefault(r.dataset(), List.of()), onTarget));
            if (r.failure().isEmpty()) {
                done.add(r.dataset().value());
            } else {
                String why = r.failure().get();
                failures.put(dst, why.contains(dst.value()) ? why : dst + ": " + why);
            }
        }
        if (!failures.isEmpty()) {
            return new ReplicationOutcome.Failed(t.name(), failureReason(failures), tally.bytes(), done);
        }
        int destroyed = t.prune() ? retainOnTarget(t, target, newest, naming) : 0;
        Optional<String> common = ReplicationPlan.newestCommonSet(after);
        Optional<Instant> commonTime = common.flatMap(SnapshotTag::parse).map(SnapshotTag::time);
        return new ReplicationOutcome.Replicated(t.name(), tally.bytes(), System.nanoTime() - start, steps, common, commonTime,
                destroyed);
    }

    /**
     * Every stream that failed, each reason naming its DR dataset: one dropped connection fails all streams in flight
     * on it, and an operator reading only the first would look for a problem with that one dataset. With more than
     * one, the names come first, so a reason cut short (the recorded last run keeps 1,000 characters) still has them.
     */
    static String failureReason(Map<DatasetName, String> failures) {
        if (failures.size() == 1) {
            return failures.values().iterator().next();
        }
        return failures.size() + " datasets failed (" + String.join(", ", failures.keySet().stream().map(DatasetName::value).toList())
                + "). " + String.join(" | ", failures.values());
    }

    /**
     * What a run has done so far, counted as it happens (the parallel streams add to it): the outcome of a failure
     * anywhere carries it. One per run, so a {@code Replicator} holds no state between runs.
     */
    private static final class Tally {
        private final AtomicLong bytes = new AtomicLong();
        private final List<String> done = new ArrayList<>();

        void sent(long n) {
            bytes.addAndGet(n);
        }

        /** A step that broke off mid-stream still moved its bytes over the wire; counted once, where it is caught. */
        void failedStep(RuntimeException ex) {
            if (ex instanceof ReplicationException r) {
                bytes.addAndGet(r.bytes());
            }
        }

        long bytes() {
            return bytes.get();
        }

        synchronized void done(DatasetName d) {
            done.add(d.value());
        }

        synchronized List<String> done() {
            return List.copyOf(done);
        }
    }

    /**
     * Parents first and one at a time: two streams creating the same parent would race. One the listing already
     * shows costs no call (behind 'zmsnap serve' every call is a process start on the DR host).
     */
    private static void createParents(TargetEndpoint target, Map<DatasetName, ReplicationPlan> plans, CopyNaming naming,
                                      Zfs.Tree listed) {
        new LinkedHashSet<>(plans.entrySet().stream().filter(e -> e.getValue() instanceof ReplicationPlan.Transfer)
                .flatMap(e -> naming.copyOf().apply(e.getKey()).parent().stream()).toList()).stream()
                .filter(parent -> !listed.datasets().contains(parent))
                .forEach(parent -> target.createContainer(parent, naming.treeRoot()));
    }

    /** One dataset's part of a run: its steps, its newest snapshot on the target, and why it stopped if it did. */
    private record DatasetRun(DatasetName dataset, List<String> steps, List<SnapshotInfo> received, Optional<SnapshotInfo> newest,
                              Optional<String> failure) {}

    /**
     * Runs {@code job} for every plan, at most {@code parallel} at a time; the results in the plans' order. A job that
     * throws ends the run as an error only once every other job has ended: a stream left running would go on sending
     * and moving holds after the caller released the target's lock and closed its session.
     */
    static <K, V, R> List<R> inParallel(Map<K, V> plans, int parallel, java.util.function.BiFunction<K, V, R> job) {
        int threads = Math.max(1, Math.min(parallel, plans.size()));
        if (threads == 1) {
            return plans.entrySet().stream().map(e -> job.apply(e.getKey(), e.getValue())).toList();
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads,
                org.zmsnap.runtime.DaemonThreads.named("zmsnap-replication-stream"));
        try {
            List<java.util.concurrent.Future<R>> futures = new ArrayList<>();
            plans.forEach((d, p) -> futures.add(pool.submit(() -> job.apply(d, p))));
            List<R> out = new ArrayList<>();
            Throwable unexpected = null;
            for (java.util.concurrent.Future<R> f : futures) {
                try {
                    out.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    // replicateDataset turns every expected failure into its outcome; this is a bug, and says so
                    // once the other streams (each bounded by the pump's watchdogs) have ended.
                    unexpected = unexpected == null ? e.getCause() : unexpected;
                }
            }
            if (unexpected != null) {
                throw new IllegalStateException("a replication stream failed unexpectedly: " + unexpected, unexpected);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while replicating", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Rollback (only if allowed), every step, the hold moved to the new common snapshot: one dataset, one stream. */
    private DatasetRun replicateDataset(ZfsTarget t, TargetEndpoint target, StepExecutor executor, DatasetName d,
                                        ReplicationPlan p, DatasetName dst, List<SnapshotInfo> sourceSnaps, Tally tally) {
        List<SnapshotName> sent = new ArrayList<>(); // held while sending: the hold moves off them at the end
        List<SnapshotInfo> received = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        Optional<SnapshotInfo> newest = Optional.empty();
        if (p instanceof ReplicationPlan.UpToDate u) {
            newest = Optional.of(u.common());
        } else if (p instanceof ReplicationPlan.Transfer tr) {
            try {
                if (tr.rollbackTo().isPresent()) {
                    SnapshotName to = dst.at(tr.rollbackTo().get().name().snapshot());
                    LOG.warn("rolling {} back to {} as the operator asked (target-only snapshots are destroyed)", dst, to);
                    try {
                        target.rollbackDestroyingNewer(to);
                    } catch (ZfsException ex) {
                        // An append-only 'zmsnap serve' refuses it: the DR admin decides, on the DR host.
                        return new DatasetRun(d, steps, received, Optional.empty(), Optional.of("cannot roll " + dst + " on "
                                + target.where() + " back: " + ex.getMessage() + ". A DR host whose 'zmsnap serve' runs without"
                                + " --allow-destroy refuses rollbacks from here; its admin runs there: zfs rollback -r " + to));
                    }
                }
                for (ReplicationPlan.Step step : singles(tr.steps(), sourceSnaps)) {
                    tally.sent(executor.send(step, dst));
                    sent.add(step.to().name());
                    received.add(step.to());
                    steps.add(d + ": " + step.describe());
                    if (step.from().isEmpty()) {
                        target.readOnly(dst);
                        recordSourceMountpoint(target, d, dst);
                    }
                }
                newest = tr.steps().isEmpty() ? tr.common() : Optional.of(tr.newest());
            } catch (ReplicationException | ZfsException | SshRunner.SshException | CommandException ex) {
                // A refused rollback or hold fails the run like a failed stream: with what it already sent. So does a
                // lost connection: the streams share one SSH session, so a connection cut under one stream's receive
                // reaches another dataset between its streams, in a plain zfs call. And so does a receive that could
                // not start (a send that cannot start is a ReplicationException already).
                tally.failedStep(ex);
                return new DatasetRun(d, steps, received, Optional.empty(), Optional.of(ex.getMessage()));
            }
        }
        try {
            newest.ifPresent(n -> moveHold(t, d, n, sourceSnaps, sent));
        } catch (ZfsException | SshRunner.SshException ex) {
            return new DatasetRun(d, steps, received, Optional.empty(),
                    Optional.of(d + ": received, but moving the hold failed: " + ex.getMessage()));
        }
        tally.done(d);
        return new DatasetRun(d, steps, received, newest, Optional.empty());
    }

    /**
     * Where the mailbox host mounts {@code d}, kept on its DR copy ({@code org.zmsnap:source-mountpoint}) when the copy
     * is seeded: {@code zmsnap promote} mounts the copy there when the DR config names no mountpoint. Streams are sent
     * without {@code -p}, so nothing else of the source's properties reaches the copy.
     */
    private void recordSourceMountpoint(TargetEndpoint target, DatasetName d, DatasetName dst) {
        source.mountpoint(d).ifPresent(mp -> target.set(dst, SOURCE_MOUNTPOINT, mp));
    }

    /**
     * One plain {@code -i} stream per snapshot: no receive zmsnap drives accepts an {@code -I} package (see
     * {@link StreamHeader#accepted}), whichever end makes it.
     */
    private static List<ReplicationPlan.Step> singles(List<ReplicationPlan.Step> steps, List<SnapshotInfo> source) {
        List<ReplicationPlan.Step> out = new ArrayList<>();
        steps.forEach(s -> out.addAll(s.asSingles(source)));
        return out;
    }

    /**
     * OpenZFS: a DR dataset with a {@code receive_resume_token} was interrupted mid-stream; continue it with
     * {@code send -t} instead of starting the increment again. A token whose snapshot is gone on the source
     * can never complete: abort it ({@code receive -A}, which discards only the partial state) and say so.
     *
     * A token this source can never continue (zfs-fuse has no {@code send -t}) is aborted too: while it is
     * there, the DR dataset refuses every other receive.
     *
     * @return whether any dataset had a token (the DR side changed: list it again)
     */
    private boolean resumeInterrupted(StepExecutor executor, TargetEndpoint target, Zfs.Tree remote, CopyNaming naming,
                                      Tally tally) {
        boolean any = false;
        for (DatasetName d : datasets) {
            DatasetName dst = naming.copyOf().apply(d);
            if (!remote.datasets().contains(dst)) {
                continue;
            }
            Optional<String> token = remote.resumeToken(dst);
            if (token.isEmpty()) {
                continue;
            }
            any = true;
            if (!executor.resumable()) {
                LOG.warn("{} holds the partial state of an interrupted receive that {} cannot resume (no 'zfs send -t');"
                        + " discarding it so the step can be sent again", dst, source.features().implementation());
                target.abortResumableReceive(dst);
                continue;
            }
            try {
                tally.sent(executor.resume(dst, token.get()));
                // The token may have been a full seed's: a seed is made read-only right after its step, which the
                // interrupted run never reached. DR datasets are always read-only, so setting it again is harmless.
                target.readOnly(dst);
                LOG.info("resumed the interrupted transfer into {} from its token", dst);
            } catch (ReplicationException e) {
                if (e.getMessage().contains("no longer exists") || e.getMessage().contains("does not exist")) {
                    tally.failedStep(e);
                    LOG.warn("the resume token of {} points to a snapshot the source no longer has; aborting it ({})", dst, e.getMessage());
                    target.abortResumableReceive(dst);
                } else {
                    throw e; // its bytes are counted where the run ends
                }
            }
        }
        return any;
    }

    /**
     * Holds the new common snapshot for this target and releases this target's hold everywhere else: on the
     * snapshots held when the run started (any tag; release of a tag that is not there is a no-op) and on the
     * ones this run held while sending.
     */
    private void moveHold(ZfsTarget t, DatasetName d, SnapshotInfo common, List<SnapshotInfo> all, List<SnapshotName> sent) {
        source.hold(holdTag(t), common.name());
        Set<SnapshotName> candidates = new LinkedHashSet<>();
        all.stream().filter(SnapshotInfo::held).forEach(s -> candidates.add(s.name()));
        sent.stream().filter(n -> n.dataset().equals(d)).forEach(candidates::add);
        candidates.remove(common.name());
        for (SnapshotName n : candidates) {
            source.releaseIfExists(holdTag(t), n);
        }
    }

    /**
     * Through an append-only 'zmsnap serve' the DR host prunes its own copies; only where the target says so (host:
     * local by default, or prune: true for a serve started with --allow-destroy) does this host, by the one rule
     * ({@link Retention}) over the target's copies, read in one listing. The newest set in common with this host is
     * never destroyed, nor is a held one.
     *
     * @return how many sets were destroyed
     */
    private int retainOnTarget(ZfsTarget t, TargetEndpoint target, Map<DatasetName, SnapshotInfo> newest, CopyNaming naming) {
        int destroyed = 0;
        try {
            Zfs.Tree remote = target.tree(naming.treeRoot());
            List<DatasetName> copies = newest.keySet().stream().map(naming.copyOf()).toList();
            Map<DatasetName, List<SnapshotInfo>> listing = new LinkedHashMap<>();
            copies.forEach(c -> listing.put(c, remote.snapshotsOf(c)));
            Map<SnapshotTag, String> needed = new HashMap<>();
            newest.values().forEach(s -> SnapshotTag.parse(s.name().snapshot()).ifPresent(tag -> needed.put(tag, t.name())));
            List<Decision> plan = Retention.planCounts(SnapshotCatalog.group(copies, listing).stream()
                    .filter(s -> s.missing().isEmpty()).toList(), t.keep(), needed, Instant.now());
            for (SnapshotSet s : Retention.toDestroy(plan)) {
                for (SnapshotInfo member : s.members().values()) {
                    target.destroy(member.name());
                }
                destroyed++;
            }
        } catch (ZfsException | SshRunner.SshException ex) {
            // Everything was received; a set the target's retention could not destroy is retried next run.
            LOG.warn("DR retention on {} failed after a successful run: {}", target.where(), ex.getMessage());
        }
        return destroyed;
    }
}
