package org.zmsnap.replication;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.exec.LocalStreamingRunner;
import org.zmsnap.exec.RunningCommand;
import org.zmsnap.exec.SshRunner;
import org.zmsnap.exec.StreamingRunner;
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
 * Brings a ZFS target up to date: plan every dataset first (refuse before touching anything), then per dataset
 * roll back only if allowed, send each step through {@link StreamPump}, move the source hold
 * {@code zmsnap:<target>} to the new common snapshot, and apply DR retention where the target allows it ({@code prune}).
 */
public final class Replicator {
    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);
    /** On a DR copy: the source dataset's mountpoint on the mailbox host, recorded at the seed. */
    public static final String SOURCE_MOUNTPOINT = "org.zmsnap:source-mountpoint";

    private final Zfs source;
    private final String sourceZfs;
    private final SnapshotCatalog catalog;
    private final List<DatasetName> datasets;
    private final StreamingRunner sender;
    private final TransferProgress progress;

    /** Sends with {@code zfs send} on this host. */
    public Replicator(Zfs source, String sourceZfsCommand, SnapshotCatalog catalog, List<DatasetName> datasets) {
        this(source, new LocalStreamingRunner(), sourceZfsCommand, catalog, datasets);
    }

    /**
     * @param sender starts {@code zfs send} where {@code source} runs its commands (this host, or the source host
     *               over SSH when the agent drives a ZFS it does not run on)
     */
    public Replicator(Zfs source, StreamingRunner sender, String sourceZfsCommand, SnapshotCatalog catalog,
                      List<DatasetName> datasets) {
        this(source, sender, sourceZfsCommand, catalog, datasets, TransferProgress.NONE);
    }

    private Replicator(Zfs source, StreamingRunner sender, String sourceZfsCommand, SnapshotCatalog catalog,
                       List<DatasetName> datasets, TransferProgress progress) {
        this.source = source;
        this.sender = sender;
        this.sourceZfs = sourceZfsCommand;
        this.catalog = catalog;
        this.datasets = List.copyOf(datasets);
        this.progress = progress;
    }

    /** The same replicator, telling {@code p} how its streams move. */
    public Replicator withProgress(TransferProgress p) {
        return new Replicator(source, sender, sourceZfs, catalog, datasets, p);
    }

    public static String holdTag(TargetConfig t) {
        return "zmsnap:" + t.name();
    }

    /** The sets the target's retention wants: per policy in its keep, the newest N complete sets (by name). */
    static Set<String> wanted(List<SnapshotSet> sets, Map<String, Integer> keep) {
        Set<String> out = new HashSet<>();
        Retention.wanted(sets, keep).forEach(t -> out.add(t.name()));
        return out;
    }

    /** One run to one target. Every failure ends as an outcome with the bytes the run sent. */
    public ReplicationOutcome replicate(TargetConfig t, TargetEndpoint target, boolean forceRollback) {
        return replicate(t, target, forceRollback, CopyNaming.of(t));
    }

    /** The same run with another naming of the receiving datasets (a failback receives into the old host's names). */
    public ReplicationOutcome replicate(TargetConfig t, TargetEndpoint target, boolean forceRollback, CopyNaming naming) {
        // One listing of the source serves the sets (what the target wants) and the plans (by GUID, foreign
        // snapshots included): over SSH, in pull mode, every call is a round trip and a forced-command start.
        Map<DatasetName, List<SnapshotInfo>> listing = catalog.listing();
        List<SnapshotSet> sets = SnapshotCatalog.group(catalog.datasets(), listing);
        Optional<String> nothing = Eligibility.nothingEligible(t.name(), sets, t.keep());
        if (nothing.isPresent()) {
            return new ReplicationOutcome.NothingEligible(t.name(), nothing.get());
        }
        Set<String> wanted = wanted(sets, t.keep());
        Map<DatasetName, ReplicationPlan> plans = new LinkedHashMap<>();
        Map<DatasetName, List<SnapshotInfo>> sourceSnaps = new LinkedHashMap<>();
        // One listing of the whole DR subtree: every remote call costs a round trip (and, behind a forced
        // command, a process start), so a no-change run stays cheap.
        Zfs.Tree remote = target.zfs().tree(naming.treeRoot());
        // Resuming needs both ends: 'receive -s' on the DR host and 'send -t' here (zfs-fuse has neither).
        boolean resumable = source.features().resumableReceive() && target.zfs().features().resumableReceive();
        // One pump for the whole run, resumed transfers included: its cap, minimum rate and max-duration are the run's.
        StreamPump pump = new StreamPump(t.bandwidth(), t.stallTimeout(), t.minRate(), t.maxDuration(), t.commandTimeout());
        long resumed = -1;
        if (target.zfs().features().resumableReceive()) {
            try {
                resumed = resumeInterrupted(t, target, remote, resumable, pump, naming);
            } catch (ReplicationException ex) {
                return new ReplicationOutcome.Failed(t.name(), ex.getMessage(), 0, List.of());
            }
            if (resumed >= 0) {
                remote = target.zfs().tree(naming.treeRoot());
            }
        }
        for (DatasetName d : datasets) {
            List<SnapshotInfo> src = listing.getOrDefault(d, List.of());
            DatasetName dst = naming.copyOf().apply(d);
            Optional<List<SnapshotInfo>> dstSnaps = remote.datasets().contains(dst)
                    ? Optional.of(remote.snapshotsOf(dst)) : Optional.empty();
            ReplicationPlan p = ReplicationPlan.plan(src, dstSnaps, wanted, forceRollback || t.rollbackOnDivergence());
            if (p instanceof ReplicationPlan.Refused r) {
                return new ReplicationOutcome.Refused(t.name(), dst + " on " + target.where() + ": " + r.reason());
            }
            plans.put(d, p);
            sourceSnaps.put(d, src);
        }
        long bytes = Math.max(0, resumed); // what the resumed transfers sent is part of this run
        long start = System.nanoTime();
        Zfs.Tree listed = remote;
        try {
            // Parents first and one at a time: two streams creating the same parent would race. One the listing
            // already shows costs no call (behind 'zmsnap serve' every call is a process start on the DR host).
            new LinkedHashSet<>(plans.entrySet().stream().filter(e -> e.getValue() instanceof ReplicationPlan.Transfer)
                    .flatMap(e -> naming.copyOf().apply(e.getKey()).parent().stream()).toList()).stream()
                    .filter(parent -> !listed.datasets().contains(parent))
                    .forEach(parent -> target.zfs().createContainer(parent, naming.treeRoot()));
        } catch (ZfsException ex) {
            return new ReplicationOutcome.Failed(t.name(), ex.getMessage(), bytes, List.of());
        }
        // The datasets of a set go in parallel streams (bounded; one cap for all, the pump's): each step's fixed
        // costs (hold, SSH channel, receive start and commit, behind a forced command a process start) overlap.
        List<DatasetRun> runs = inParallel(plans, t.parallelStreams(), (d, p) -> replicateDataset(t, target, pump, d, p,
                naming.copyOf().apply(d), sourceSnaps.get(d), resumable));
        List<String> steps = new ArrayList<>();
        List<String> done = new ArrayList<>();
        Map<DatasetName, SnapshotInfo> newest = new LinkedHashMap<>();
        Optional<String> failure = Optional.empty();
        for (DatasetRun r : runs) {
            bytes += r.bytes();
            steps.addAll(r.steps());
            r.newest().ifPresent(n -> newest.put(r.dataset(), n));
            if (r.failure().isEmpty()) {
                done.add(r.dataset().value());
            } else if (failure.isEmpty()) {
                failure = r.failure();
            }
        }
        if (failure.isPresent()) {
            return new ReplicationOutcome.Failed(t.name(), failure.get(), bytes, done);
        }
        // Through an append-only 'zmsnap serve' the DR host prunes its own copies; only where the target says so
        // (host: local by default, or prune: true for a serve started with --allow-destroy) does this host.
        int destroyed = 0;
        try {
            destroyed = t.prune() ? retainOnTarget(t, target, newest, naming) : 0;
        } catch (ZfsException ex) {
            // Everything was received; a set the target's retention could not destroy is retried next run.
            LOG.warn("DR retention on {} failed after a successful run: {}", target.where(), ex.getMessage());
        }
        Optional<String> common = commonTag(newest);
        Optional<Instant> commonTime = common.flatMap(SnapshotTag::parse).map(SnapshotTag::time);
        return new ReplicationOutcome.Replicated(t.name(), bytes, System.nanoTime() - start, steps, common, commonTime, destroyed);
    }

    /** One dataset's part of a run: what it sent, its newest snapshot on the target, and why it stopped if it did. */
    private record DatasetRun(DatasetName dataset, long bytes, List<String> steps, Optional<SnapshotInfo> newest,
                              Optional<String> failure) {}

    /** Runs {@code job} for every plan, at most {@code parallel} at a time; the results in the plans' order. */
    private static List<DatasetRun> inParallel(Map<DatasetName, ReplicationPlan> plans, int parallel,
                                               java.util.function.BiFunction<DatasetName, ReplicationPlan, DatasetRun> job) {
        int threads = Math.max(1, Math.min(parallel, plans.size()));
        if (threads == 1) {
            return plans.entrySet().stream().map(e -> job.apply(e.getKey(), e.getValue())).toList();
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads,
                org.zmsnap.runtime.DaemonThreads.named("zmsnap-replication-stream"));
        try {
            List<java.util.concurrent.Future<DatasetRun>> futures = new ArrayList<>();
            plans.forEach((d, p) -> futures.add(pool.submit(() -> job.apply(d, p))));
            List<DatasetRun> out = new ArrayList<>();
            for (java.util.concurrent.Future<DatasetRun> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while replicating", e);
        } catch (java.util.concurrent.ExecutionException e) {
            // replicateDataset turns every expected failure into its outcome; this is a bug, and says so.
            throw new IllegalStateException("a replication stream failed unexpectedly: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Rollback (only if allowed), every step, the hold moved to the new common snapshot: one dataset, one stream. */
    private DatasetRun replicateDataset(TargetConfig t, TargetEndpoint target, StreamPump pump, DatasetName d, ReplicationPlan p,
                                        DatasetName dst, List<SnapshotInfo> sourceSnaps, boolean resumable) {
        List<SnapshotName> sent = new ArrayList<>(); // held while sending: the hold moves off them at the end
        List<String> steps = new ArrayList<>();
        long bytes = 0;
        Optional<SnapshotInfo> newest = Optional.empty();
        if (p instanceof ReplicationPlan.UpToDate u) {
            newest = Optional.of(u.common());
        } else if (p instanceof ReplicationPlan.Transfer tr) {
            try {
                if (tr.rollbackTo().isPresent()) {
                    SnapshotName to = dst.at(tr.rollbackTo().get().name().snapshot());
                    LOG.warn("rolling {} back to {} as the operator asked (target-only snapshots are destroyed)", dst, to);
                    try {
                        target.zfs().rollbackDestroyingNewer(to);
                    } catch (ZfsException ex) {
                        // An append-only 'zmsnap serve' refuses it: the DR admin decides, on the DR host.
                        return new DatasetRun(d, bytes, steps, Optional.empty(), Optional.of("cannot roll " + dst + " on "
                                + target.where() + " back: " + ex.getMessage() + ". A DR host whose 'zmsnap serve' runs without"
                                + " --allow-destroy refuses rollbacks from here; its admin runs there: zfs rollback -r " + to));
                    }
                }
                for (ReplicationPlan.Step step : singles(tr.steps(), sourceSnaps)) {
                    bytes += send(t, target, pump, step, dst, resumable, sent);
                    steps.add(d + ": " + step.describe());
                    if (step.from().isEmpty()) {
                        target.zfs().set(dst, "readonly", "on");
                        recordSourceMountpoint(target, d, dst);
                    }
                }
                newest = tr.steps().isEmpty() ? tr.common() : Optional.of(tr.newest());
            } catch (ReplicationException | ZfsException | SshRunner.SshException ex) {
                // A refused rollback or hold fails the run like a failed stream: with what it already sent. So does a
                // lost connection: the streams share one SSH session, so a connection cut under one stream's receive
                // reaches another dataset between its streams, in a plain zfs call.
                return new DatasetRun(d, bytes, steps, Optional.empty(), Optional.of(ex.getMessage()));
            }
        }
        try {
            newest.ifPresent(n -> moveHold(t, d, n, sourceSnaps, sent));
        } catch (ZfsException | SshRunner.SshException ex) {
            return new DatasetRun(d, bytes, steps, Optional.empty(),
                    Optional.of(d + ": received, but moving the hold failed: " + ex.getMessage()));
        }
        return new DatasetRun(d, bytes, steps, newest, Optional.empty());
    }

    /**
     * Where the mailbox host mounts {@code d}, kept on its DR copy ({@code org.zmsnap:source-mountpoint}) when the copy
     * is seeded: {@code zmsnap promote} mounts the copy there when the DR config names no mountpoint. Streams are sent
     * without {@code -p}, so nothing else of the source's properties reaches the copy.
     */
    private void recordSourceMountpoint(TargetEndpoint target, DatasetName d, DatasetName dst) {
        source.getProperty(d, "mountpoint").filter(mp -> mp.startsWith("/"))
                .ifPresent(mp -> target.zfs().set(dst, SOURCE_MOUNTPOINT, mp));
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

    /** The newest tag present on every dataset's target (the set that is fully replicated). */
    private Optional<String> commonTag(Map<DatasetName, SnapshotInfo> newest) {
        if (newest.size() != datasets.size()) {
            return Optional.empty();
        }
        Set<String> names = new HashSet<>();
        newest.values().forEach(s -> names.add(s.name().snapshot()));
        return names.size() == 1 ? Optional.of(names.iterator().next()) : newest.values().stream()
                .map(s -> s.name().snapshot()).filter(n -> SnapshotTag.parse(n).isPresent())
                .min(Comparator.comparing(n -> SnapshotTag.parse(n).orElseThrow()));
    }

    /**
     * OpenZFS: a DR dataset with a {@code receive_resume_token} was interrupted mid-stream; continue it with
     * {@code send -t} instead of starting the increment again. A token whose snapshot is gone on the source
     * can never complete: abort it ({@code receive -A}, which discards only the partial state) and say so.
     *
     * A token this source can never continue (zfs-fuse has no {@code send -t}) is aborted too: while it is
     * there, the DR dataset refuses every other receive.
     *
     * @return bytes sent by resumed transfers, or -1 when there was nothing to resume
     */
    private long resumeInterrupted(TargetConfig t, TargetEndpoint target, Zfs.Tree remote, boolean resumable,
                                   StreamPump pump, CopyNaming naming) {
        long total = -1;
        for (DatasetName d : datasets) {
            DatasetName dst = naming.copyOf().apply(d);
            if (!remote.datasets().contains(dst)) {
                continue;
            }
            Optional<String> token = remote.resumeToken(dst);
            if (token.isEmpty()) {
                continue;
            }
            total = Math.max(total, 0);
            if (!resumable) {
                LOG.warn("{} holds the partial state of an interrupted receive that {} cannot resume (no 'zfs send -t');"
                        + " discarding it so the step can be sent again", dst, source.features().implementation());
                target.zfs().abortResumableReceive(dst);
                continue;
            }
            try {
                total += transfer(t, target, pump,
                        List.of(sourceZfs, "send", "-t", token.get()), dst, "resume of an interrupted transfer", true,
                        OptionalLong.empty());
                // The token may have been a full seed's: a seed is made read-only right after its step, which the
                // interrupted run never reached. DR datasets are always read-only, so setting it again is harmless.
                target.zfs().set(dst, "readonly", "on");
                LOG.info("resumed the interrupted transfer into {} from its token", dst);
            } catch (ReplicationException e) {
                if (e.getMessage().contains("no longer exists") || e.getMessage().contains("does not exist")) {
                    LOG.warn("the resume token of {} points to a snapshot the source no longer has; aborting it ({})", dst, e.getMessage());
                    target.zfs().abortResumableReceive(dst);
                } else {
                    throw e;
                }
            }
        }
        return total;
    }

    private long send(TargetConfig t, TargetEndpoint target, StreamPump pump, ReplicationPlan.Step step, DatasetName dst,
                      boolean resumable, List<SnapshotName> sent) {
        List<String> argv = new ArrayList<>(List.of(sourceZfs, "send"));
        boolean compressed = source.features().compressedSend() && target.zfs().features().compressedSend();
        if (compressed) {
            // Blocks go as they are stored (lz4 on Zimbra stores): less on the wire and no recompression on the
            // DR side. Only OpenZFS can send or receive such a stream.
            argv.add("-c");
        }
        step.from().ifPresent(f -> {
            argv.add(step.intermediates() ? "-I" : "-i");
            argv.add(f.name().toString());
        });
        argv.add(step.to().name().toString());
        // Hold what is being sent so retention cannot destroy it mid-stream; it becomes the common snapshot.
        source.hold(holdTag(t), step.to().name());
        sent.add(step.to().name());
        OptionalLong expected = progress.wantsEstimate()
                ? source.sendSize(step.from().map(SnapshotInfo::name), step.to().name(), compressed) : OptionalLong.empty();
        return transfer(t, target, pump, argv, dst, step.describe(), resumable, expected);
    }

    /** zfs send (argv) → pump → zfs receive into {@code dst}; both exits checked, both stderr in the error. */
    private long transfer(TargetConfig t, TargetEndpoint target, StreamPump pump, List<String> argv, DatasetName dst, String what,
                          boolean resumable, OptionalLong expected) {
        // A stream already running is not paused, but none starts while a snapshot cycle holds the database lock.
        source.gate().awaitOpen("zfs send | zfs receive " + dst + " (" + what + ")");
        if (target.zfs().gate() != source.gate()) {
            target.zfs().gate().awaitOpen("zfs receive " + dst + " (" + what + ")");
        }
        RunningCommand recv = target.receive(dst, resumable);
        RunningCommand send;
        try {
            send = sender.start(argv);
        } catch (RuntimeException e) {
            recv.kill();
            throw new ReplicationException("cannot start zfs send: " + e.getMessage(), e);
        }
        StreamPump.Result r;
        String copyError = "";
        progress.started(dst, what, expected);
        try {
            // Whatever the source, nothing it sends may choose where or whether a DR dataset mounts: a pulled
            // stream is made by a host that may be compromised. The same rule as 'zmsnap serve' (StreamHeader).
            r = pump.copy(send.stdout(), recv.stdin(), () -> {
                send.kill();
                recv.kill();
            }, (head, n) -> {
                if (n == 0) {
                    return; // nothing to receive: the sender failed, and its exit status and stderr say why
                }
                StreamHeader.Kind kind = StreamHeader.of(head, n);
                if (!StreamHeader.accepted(kind)) {
                    send.kill();
                    recv.kill();
                    throw new ReplicationException(dst + " on " + target.where() + " (" + what + "): refused before receiving: "
                            + StreamHeader.refusal(kind) + ". Nothing was received.", null);
                }
            }, n -> progress.moved(dst, n));
        } catch (IOException e) {
            copyError = e.getMessage();
            r = new StreamPump.Result(0, 0, Optional.empty());
        } finally {
            try {
                recv.stdin().close();
            } catch (IOException ignored) {
                // the receiver is gone; its exit status says why
            }
        }
        if (r.stalled() || !copyError.isEmpty()) {
            // Nobody reads the sender's output any more: it would block on a full pipe until command-timeout.
            send.kill();
        }
        int sendExit = safeWait(send, t.commandTimeout());
        int recvExit = safeWait(recv, t.commandTimeout());
        boolean failed = r.stalled() || sendExit != 0 || recvExit != 0 || !copyError.isEmpty();
        progress.finished(dst, r.bytes(), !failed);
        if (failed) {
            send.kill();
            recv.kill();
            String why = r.stop().map(StreamPump.Stop::describe)
                    .orElse("zfs send exited " + sendExit + ", zfs receive exited " + recvExit);
            throw new ReplicationException(dst + " on " + target.where() + " (" + what + "): " + why
                    + (copyError.isEmpty() ? "" : "; copy: " + copyError)
                    + stderr("zfs send", send) + stderr("zfs receive", recv)
                    + ". What the DR dataset already had is intact; the next run resumes (OpenZFS) or repeats this step.", null);
        }
        LOG.info("sent {} → {}: {} bytes at {} MiB/s", what, dst, r.bytes(),
                String.format(java.util.Locale.ROOT, "%.1f", r.bytesPerSecond() / (1 << 20)));
        return r.bytes();
    }

    private static String stderr(String what, RunningCommand c) {
        String e = c.stderr().strip();
        return e.isEmpty() ? "" : "; " + what + ": " + e;
    }

    private static int safeWait(RunningCommand c, Duration timeout) {
        try {
            return c.waitFor(timeout);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * Holds the new common snapshot for this target and releases this target's hold everywhere else: on the
     * snapshots held when the run started (any tag; release of a tag that is not there is a no-op) and on the
     * ones this run held while sending.
     */
    private void moveHold(TargetConfig t, DatasetName d, SnapshotInfo common, List<SnapshotInfo> all, List<SnapshotName> sent) {
        source.hold(holdTag(t), common.name());
        Set<SnapshotName> candidates = new java.util.LinkedHashSet<>();
        all.stream().filter(SnapshotInfo::held).forEach(s -> candidates.add(s.name()));
        sent.stream().filter(n -> n.dataset().equals(d)).forEach(candidates::add);
        candidates.remove(common.name());
        for (SnapshotName n : candidates) {
            if (source.exists(n)) {
                source.release(holdTag(t), n);
            }
        }
    }

    /**
     * DR retention by the one rule ({@link Retention}) over the target's copies, read in one listing; the newest
     * set in common with this host is never destroyed, nor is a held one.
     */
    private int retainOnTarget(TargetConfig t, TargetEndpoint target, Map<DatasetName, SnapshotInfo> newest, CopyNaming naming) {
        Zfs.Tree remote = target.zfs().tree(naming.treeRoot());
        List<DatasetName> copies = newest.keySet().stream().map(naming.copyOf()).toList();
        Map<DatasetName, List<SnapshotInfo>> listing = new LinkedHashMap<>();
        copies.forEach(c -> listing.put(c, remote.snapshotsOf(c)));
        Map<SnapshotTag, String> needed = new HashMap<>();
        newest.values().forEach(s -> SnapshotTag.parse(s.name().snapshot()).ifPresent(tag -> needed.put(tag, t.name())));
        int destroyed = 0;
        List<Decision> plan = Retention.planCounts(SnapshotCatalog.group(copies, listing).stream().filter(s -> s.missing().isEmpty())
                .toList(), t.keep(), needed, Instant.now());
        for (SnapshotSet s : Retention.toDestroy(plan)) {
            for (SnapshotInfo member : s.members().values()) {
                target.zfs().destroy(member.name());
            }
            destroyed++;
        }
        return destroyed;
    }

    /** A transfer step failed. */
    static final class ReplicationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReplicationException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
