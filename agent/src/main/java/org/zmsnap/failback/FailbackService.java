package org.zmsnap.failback;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.exec.LocalStreamingRunner;
import org.zmsnap.exec.StreamingRunner;
import org.zmsnap.promote.CopyState;
import org.zmsnap.promote.PromotedMark;
import org.zmsnap.replication.CopyNaming;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.Replicator;
import org.zmsnap.replication.TargetEndpoint;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.restore.session.RestoreLeftovers;
import org.zmsnap.snapshot.HostLock;
import org.zmsnap.snapshot.SnapshotCatalog;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.snapshot.SnapshotTag;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;
import org.zmsnap.zfs.SnapshotName;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zfs.ZfsException;

/**
 * {@code zmsnap failback --target NAME} on the old mailbox host, after the DR host promoted its copies: keep and
 * export what only this host has (salvage), reset its datasets to the newest set both sides share without destroying
 * anything, receive the DR host's newer sets through the replication engine (reverse direction), and — once the DR host
 * handed the service back — go live on its final set. Each run reads the state back from ZFS and continues.
 */
public final class FailbackService {
    private static final Logger LOG = LoggerFactory.getLogger(FailbackService.class);
    /** Hold on the kept salvage snapshot and on the common snapshot the kept state is a clone of. */
    public static final String SALVAGE_HOLD = "zmsnap:salvage";
    /** The failback's name as a replication target: its hold tag on the DR host is {@code zmsnap:failback}. */
    public static final String HOLD_NAME = "failback";
    private static final DateTimeFormatter COMPACT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Duration LOCK_WAIT = Duration.ofSeconds(10);
    /** A busy pool may take a while to sync; failback waits rather than guess (a failed sync means writes assumed). */
    private static final Duration TXG_SYNC_TIMEOUT = Duration.ofSeconds(60);
    /** Properties a receive here may have set locally (OpenZFS's overrides) and a live dataset must not keep. */
    private static final List<String> LIVE_RESET = List.of("readonly", "setuid", "exec", "devices");

    private final AgentContext ctx;
    private final Salvage salvage;
    private final StepInterruption interruption = StepInterruption.fromSystemProperty();
    private final StreamingRunner receiver;

    public FailbackService(AgentContext ctx, Salvage salvage) {
        this(ctx, salvage, new LocalStreamingRunner());
    }

    /**
     * @param receiver starts this host's {@code zfs receive} of the sets coming back: local in production; the tests
     *                 that play this host in the OpenZFS guest pass the same SSH runner as {@code ctx}'s
     */
    public FailbackService(AgentContext ctx, Salvage salvage, StreamingRunner receiver) {
        this.ctx = ctx;
        this.salvage = salvage;
        this.receiver = receiver;
    }

    /**
     * @param salvageDir where the salvaged items go (a directory per salvage); required when there is anything to salvage
     */
    public record Options(String target, boolean dryRun, Optional<Path> salvageDir) {}

    public FailbackOutcome run(Options o) {
        Config config = ctx.config();
        if (!(config.targets().get(o.target()) instanceof ZfsTarget t)) {
            return new FailbackOutcome.Refused("unknown zfs target '" + o.target() + "'; this host's zfs targets: "
                    + config.targets().values().stream().filter(ZfsTarget.class::isInstance).map(TargetConfig::name).toList(), true);
        }
        try (HostLock host = HostLock.acquire(config.lockFile(), "failback from " + t.name(), LOCK_WAIT);
             HostLock link = HostLock.acquire(config.linkLock("target", t.name()), "failback from " + t.name(), LOCK_WAIT);
             TargetEndpoint dr = TargetEndpoint.open(t)) {
            return run(o, t, dr);
        } catch (HostLock.HostLockBusyException e) {
            return new FailbackOutcome.Refused(e.getMessage(), false);
        }
    }

    private FailbackOutcome run(Options o, ZfsTarget t, TargetEndpoint dr) {
        Zfs zfs = ctx.zfs();
        Zfs remote = dr.zfs();
        List<DatasetName> locals = ctx.config().datasets();
        Survey s = survey(locals, t, remote);
        FailbackPlan plan = FailbackPlan.decide(s.facts(), s.grantActive(), s.inUse(), t.name(), Instant.now());
        if (plan instanceof FailbackPlan.Refused r) {
            return new FailbackOutcome.Refused(r.reason(), r.usage());
        }
        FailbackPlan.Ready ready = (FailbackPlan.Ready) plan;
        if (ready.live()) {
            return new FailbackOutcome.Done(ready.common(), Optional.empty(), List.of(), 0, true,
                    ready.handback().map(HandbackMark::set), Optional.empty());
        }
        long bytes = bytesAfter(remote, t.root(), s, ready.common());
        long available = available(zfs, locals.get(0));
        if (bytes > 0 && available >= 0 && bytes > available) {
            return new FailbackOutcome.Refused("this host's pool has " + available + " bytes available, and the DR copies hold "
                    + bytes + " bytes written after the common set " + ready.common() + ": free space (or add disks) before a"
                    + " failback; nothing was reset", false);
        }
        if (ready.needsSalvage() && o.salvageDir().isEmpty() && !o.dryRun()) {
            return new FailbackOutcome.Refused("this host holds state newer than the common set " + ready.common()
                    + " (mail accepted after the last set the DR host received): pass --salvage-dir DIR, where its items are"
                    + " exported before the reset", true);
        }
        List<String> steps = steps(ready, s);
        if (o.dryRun()) {
            return new FailbackOutcome.DryRun(ready.common(), ready.salvage(), steps, bytes, available);
        }
        return new Execution(ready, s, t, dr, o).run();
    }

    /** What this run would do, in words, for the dry run and the log. */
    private static List<String> steps(FailbackPlan.Ready r, Survey s) {
        List<String> out = new ArrayList<>();
        r.salvage().ifPresent(name -> {
            if (!r.salvageTaken()) {
                out.add("keep this host's newer state: snapshot @" + name + " on every dataset, held (" + SALVAGE_HOLD + ")");
            }
            out.add("export the items that exist only in it (not in " + r.common() + ") to the salvage directory");
        });
        for (int i = 0; i < s.facts().size(); i++) {
            FailbackPlan.Facts f = s.facts().get(i);
            FailbackPlan.Phase p = r.phases().get(i);
            out.add(f.local() + ": " + p.name().toLowerCase(java.util.Locale.ROOT) + f.aside().map(a -> ", kept aside as " + a).orElse("")
                    + f.localOrigin().map(o -> ", a clone of " + o).orElse("") + f.salvageMark().map(m -> ", salvage " + m).orElse(""));
            if (p != FailbackPlan.Phase.CLEAN && p != FailbackPlan.Phase.RESET) {
                out.add("reset " + f.local() + " to @" + r.common() + " without destroying anything: the current state is renamed to "
                        + aside(f.local(), r.salvage().orElseThrow()) + " (kept), a clone of its @" + r.common() + " takes the name");
            }
        }
        out.add("receive every set the DR host has after " + r.common() + " (read-only here until the cutover)");
        r.handback().ifPresentOrElse(h -> out.add("go live on the DR host's final set " + h.set() + ": writable, mounted"),
                () -> out.add("then wait for the DR host's handback (zmsnap failback handback there), and run this again"));
        return out;
    }

    static DatasetName aside(DatasetName local, String salvageName) {
        Instant time = SnapshotTag.parse(salvageName).orElseThrow().time();
        return DatasetName.of(local.value() + "_salvage_" + COMPACT.format(time));
    }

    /** The facts both sides hold, in as few calls as possible (over SSH each is a round trip). */
    record Survey(List<FailbackPlan.Facts> facts, boolean grantActive, List<String> inUse) {}

    private Survey survey(List<DatasetName> locals, ZfsTarget t, Zfs remote) {
        Zfs zfs = ctx.zfs();
        DatasetName root = t.root();
        Zfs.Tree drTree = remote.tree(root);
        // One listing for the root's grant and the copies' marks: over SSH each call starts the forced command.
        Map<DatasetName, Map<String, String>> marks = drTree.datasets().contains(root)
                ? remote.propertiesBelow(root, List.of(FailbackGrant.PROPERTY, PromotedMark.PROPERTY, HandbackMark.PROPERTY)) : Map.of();
        boolean grant = FailbackGrant.inForce(Optional.ofNullable(marks.getOrDefault(root, Map.of()).get(FailbackGrant.PROPERTY)),
                Instant.now());
        Map<DatasetName, Zfs.Tree> localTrees = new HashMap<>();
        Map<DatasetName, Map<String, String>> localProps = new HashMap<>();
        for (DatasetName d : locals) {
            Zfs.Tree tree = localTrees.computeIfAbsent(DatasetName.of(d.pool()), zfs::tree);
            localProps.put(d, tree.datasets().contains(d) ? zfs.properties(d, List.of(FailbackPlan.SALVAGE_PROPERTY, "origin", "mountpoint",
                    "mounted", "readonly")) : Map.of());
        }
        // One failback's salvage name for every dataset: a dataset whose own mark an interrupted cutover already removed
        // still finds its kept-aside state by it.
        Optional<String> anyMark = localProps.values().stream().map(p -> p.get(FailbackPlan.SALVAGE_PROPERTY)).filter(v -> v != null)
                .findFirst();
        List<FailbackPlan.Facts> facts = new ArrayList<>();
        List<Path> mountpoints = new ArrayList<>();
        for (DatasetName d : locals) {
            Zfs.Tree tree = localTrees.get(DatasetName.of(d.pool()));
            boolean exists = tree.datasets().contains(d);
            Map<String, String> props = localProps.get(d);
            Optional<String> mark = Optional.ofNullable(props.get(FailbackPlan.SALVAGE_PROPERTY));
            Optional<DatasetName> aside = mark.or(() -> anyMark).map(m -> aside(d, m)).filter(a -> tree.datasets().contains(a))
                    .or(() -> exists ? Optional.empty() : newestAside(zfs, tree, d));
            Optional<String> asideOrigin = aside.flatMap(a -> zfs.getProperty(a, "origin"));
            if (mark.isEmpty() && !exists) {
                mark = aside.flatMap(a -> zfs.getProperty(a, FailbackPlan.SALVAGE_PROPERTY));
            }
            // Renamed aside, or cloned back but not yet promoted: the dataset's history is the aside's.
            boolean ownHistory = exists && aside.map(a -> !props.getOrDefault("origin", "").startsWith(a.value() + "@")).orElse(true);
            List<SnapshotInfo> snaps = ownHistory ? tree.snapshotsOf(d) : aside.map(tree::snapshotsOf).orElse(List.of());
            if ("yes".equals(props.get("mounted")) && props.getOrDefault("mountpoint", "").startsWith("/")) {
                mountpoints.add(Path.of(props.get("mountpoint")));
            }
            DatasetName copy = t.targetOf(d);
            boolean copyExists = drTree.datasets().contains(copy);
            Map<String, String> copyMarks = marks.getOrDefault(copy, Map.of());
            facts.add(new FailbackPlan.Facts(d, exists, snaps, Optional.empty(), mark, aside, asideOrigin,
                    Optional.ofNullable(props.get("origin")), copy, copyExists, drTree.snapshotsOf(copy),
                    Optional.ofNullable(copyMarks.get(PromotedMark.PROPERTY)),
                    HandbackMark.parse(Optional.ofNullable(copyMarks.get(HandbackMark.PROPERTY))),
                    drTree.datasets().contains(CopyState.cloneOf(copy)),
                    !exists || "on".equals(props.get("readonly")) || !"yes".equals(props.get("mounted"))));
        }
        return new Survey(writtenSinceCommon(zfs, facts), grant, new PathUsers().of(mountpoints));
    }

    /**
     * Each dataset's bytes written after the newest common set ({@code written@<common>}), where ZFS can say (OpenZFS):
     * it covers newer snapshots and what no snapshot holds yet. Only for a dataset still in its own history (not kept
     * aside by an earlier run); elsewhere, and on zfs-fuse, it stays unknown and the plan assumes writes.
     */
    private static List<FailbackPlan.Facts> writtenSinceCommon(Zfs zfs, List<FailbackPlan.Facts> facts) {
        Optional<String> common = FailbackPlan.newestCommonSet(facts);
        if (common.isEmpty() || !zfs.features().writtenSince()) {
            return facts;
        }
        // A write the kernel took a moment ago sits in the open transaction group, and written@ does not count it
        // until that group syncs: read it before a sync and the rollback would destroy mail nobody salvaged.
        boolean synced = syncPools(zfs, facts);
        List<FailbackPlan.Facts> out = new ArrayList<>();
        for (FailbackPlan.Facts f : facts) {
            boolean own = synced && f.localExists() && f.aside().isEmpty() && f.localOrigin().isEmpty();
            out.add(own ? f.withWritten(written(zfs, f.local(), common.get())) : f);
        }
        return out;
    }

    /** Syncs the pool of every local dataset; false (written unknown, writes assumed) where that fails. */
    private static boolean syncPools(Zfs zfs, List<FailbackPlan.Facts> facts) {
        List<DatasetName> pools = facts.stream().filter(FailbackPlan.Facts::localExists)
                .map(f -> DatasetName.of(f.local().pool())).distinct().toList();
        try {
            zfs.waitForTxgSync(pools, TXG_SYNC_TIMEOUT);
            return true;
        } catch (ZfsException e) {
            return false;
        }
    }

    /** The dataset is gone: an interrupted run renamed it aside. The newest aside carrying a salvage mark is it. */
    private static Optional<DatasetName> newestAside(Zfs zfs, Zfs.Tree tree, DatasetName d) {
        String prefix = d.value() + "_salvage_";
        return tree.datasets().stream().filter(x -> x.value().startsWith(prefix)).max(Comparator.comparing(DatasetName::value))
                .filter(x -> zfs.getProperty(x, FailbackPlan.SALVAGE_PROPERTY).isPresent());
    }

    /** Bytes written after {@code d@common}; empty (writes assumed) where it cannot be read. */
    private static Optional<Long> written(Zfs zfs, DatasetName d, String common) {
        String p = "written@" + common;
        try {
            return Optional.ofNullable(zfs.properties(d, List.of(p)).get(p)).map(Long::parseLong);
        } catch (ZfsException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** What the DR copies hold after the common set: the increment to receive. -1 where the DR host's ZFS cannot say. */
    private static long bytesAfter(Zfs remote, DatasetName root, Survey s, String common) {
        try {
            Map<DatasetName, Map<String, String>> written = remote.propertiesBelow(root, List.of("written@" + common));
            long total = 0;
            for (FailbackPlan.Facts f : s.facts()) {
                String v = written.getOrDefault(f.copy(), Map.of()).get("written@" + common);
                if (v == null) {
                    return -1;
                }
                total += Long.parseLong(v);
            }
            return total;
        } catch (ZfsException | NumberFormatException e) {
            return -1;
        }
    }

    private static long available(Zfs zfs, DatasetName d) {
        try {
            return zfs.properties(DatasetName.of(d.pool()), List.of("available")).entrySet().stream().findFirst()
                    .map(e -> Long.parseLong(e.getValue())).orElse(-1L);
        } catch (ZfsException | NumberFormatException e) {
            return -1;
        }
    }

    /** One run's steps, in order; stops at the first that fails. */
    private final class Execution {
        private final FailbackPlan.Ready plan;
        private final Survey survey;
        private final ZfsTarget t;
        private final TargetEndpoint dr;
        private final Options options;
        private final Zfs zfs = ctx.zfs();
        private final List<String> done = new ArrayList<>();

        Execution(FailbackPlan.Ready plan, Survey survey, ZfsTarget t, TargetEndpoint dr, Options options) {
            this.plan = plan;
            this.survey = survey;
            this.t = t;
            this.dr = dr;
            this.options = options;
        }

        FailbackOutcome run() {
            String step = "start";
            try {
                Optional<Salvage.Summary> exported = Optional.empty();
                if (plan.needsSalvage()) {
                    String name = plan.salvage().orElseThrow();
                    step = "salvage snapshot";
                    if (!plan.salvageTaken()) {
                        takeSalvage(name);
                    }
                    holdSalvage(name);
                    step = "salvage export";
                    exported = export(name);
                    interruption.after("salvage-export");
                    for (int i = 0; i < survey.facts().size(); i++) {
                        FailbackPlan.Facts f = survey.facts().get(i);
                        step = "reset " + f.local() + " (" + plan.phases().get(i).name().toLowerCase(java.util.Locale.ROOT) + ")";
                        reset(f, plan.phases().get(i), name);
                    }
                }
                step = "fence";
                // Read-only and unmounted until the cutover: nothing may write between the received sets (a
                // modified dataset refuses the next increment). zfs-fuse mounts a clone read-write whatever its
                // canmount says, so the unmount matters there.
                for (FailbackPlan.Facts f : survey.facts()) {
                    zfs.set(f.local(), "readonly", "on");
                    zfs.unmount(f.local());
                    interruption.after("fence");
                }
                step = "receive";
                long bytes = receive();
                interruption.after("receive");
                Optional<String> finalSet = Optional.empty();
                if (plan.handback().isPresent()) {
                    step = "cutover";
                    finalSet = Optional.of(cutover(plan.handback().get()));
                }
                return new FailbackOutcome.Done(plan.common(), plan.salvage(), done, bytes, finalSet.isPresent(), finalSet, exported);
            } catch (RuntimeException e) {
                LOG.error("failback from {} stopped at '{}': {}", t.name(), step, e.getMessage());
                return new FailbackOutcome.Failed(step, e.getMessage(), done);
            }
        }

        /** The mark first, then the snapshot: a rerun after a cut between them knows the name and takes it. */
        private void takeSalvage(String name) {
            for (FailbackPlan.Facts f : survey.facts()) {
                zfs.set(f.local(), FailbackPlan.SALVAGE_PROPERTY, name);
                interruption.after("salvage-mark");
            }
            List<SnapshotName> missing = survey.facts().stream().map(f -> f.local().at(name)).filter(n -> !zfs.exists(n)).toList();
            // Zimbra and MariaDB are stopped here (checked), so one call per dataset is as good as one atomic call.
            if (zfs.features().multiSnapshot()) {
                zfs.snapshot(missing, false, Map.of(), zfs.defaultTimeout());
            } else {
                missing.forEach(n -> zfs.snapshot(List.of(n), false, Map.of(), zfs.defaultTimeout()));
            }
            interruption.after("salvage-snapshot");
            done.add("kept this host's state as @" + name + " (held " + SALVAGE_HOLD + ")");
        }

        /**
         * The hold on the salvage snapshot of every dataset not yet renamed aside, also when an interrupted run took the
         * snapshot but stopped before its hold (a held tag is left as it is). Every dataset is held before the first
         * rename, so a renamed one is held already.
         */
        private void holdSalvage(String name) {
            for (int i = 0; i < survey.facts().size(); i++) {
                if (plan.phases().get(i) == FailbackPlan.Phase.ORIGINAL) {
                    zfs.hold(SALVAGE_HOLD, survey.facts().get(i).local().at(name));
                }
            }
        }

        private Optional<Salvage.Summary> export(String name) {
            Path dir = options.salvageDir().orElseThrow().resolve(name);
            if (Files.exists(dir.resolve(Salvage.MANIFEST))) {
                return Optional.empty(); // exported by an earlier run: the manifest is written last
            }
            if (survey.facts().stream().anyMatch(f -> !f.localExists() || f.localOrigin().isPresent())) {
                throw new IllegalStateException("the reset of this host's datasets has started but " + dir.resolve(Salvage.MANIFEST)
                        + " is missing: the export is in the kept datasets (" + aside(survey.facts().get(0).local(), name)
                        + ", ...); run failback with the --salvage-dir the first run had");
            }
            // An export cut by a crash leaves its clones and sandbox mariadbd (a restore session whose owner is dead);
            // they would keep clones of the kept state busy. Removed as 'zmsnap restore --cleanup' would; live sessions
            // (another zmsnap's, a 'zmsnap mount') are left alone.
            RestoreLeftovers.Removed left = new RestoreService(ctx).leftovers().remove(false);
            if (!left.sessions().isEmpty() || !left.clones().isEmpty()) {
                done.add("removed an interrupted export's leftovers: sessions " + left.sessions() + ", clones " + left.clones());
            }
            List<SnapshotSet> sets = ctx.catalog().sets();
            SnapshotSet base = find(sets, plan.common());
            SnapshotSet newer = find(sets, name);
            Salvage.Summary s = salvage.export(base, newer, dir);
            done.add("exported " + s.items() + " items (" + s.bytes() + " bytes) only this host had to " + s.dir());
            return Optional.of(s);
        }

        private SnapshotSet find(List<SnapshotSet> sets, String name) {
            return sets.stream().filter(x -> x.tag().name().equals(name) && x.complete()).findFirst()
                    .orElseThrow(() -> new IllegalStateException("set " + name + " is not complete on this host's datasets"));
        }

        /** Rename aside, clone the common snapshot back under the name, promote it: nothing is destroyed. */
        private void reset(FailbackPlan.Facts f, FailbackPlan.Phase phase, String name) {
            DatasetName local = f.local();
            DatasetName aside = aside(local, name);
            SnapshotName common = local.at(plan.common());
            switch (phase) {
                case CLEAN -> {
                    return;
                }
                case RESET -> {
                    // An interrupted run may have stopped between the promote and this hold: the snapshot the kept
                    // state is a clone of (the common set of the run that reset it) is held again, idempotently.
                    f.asideOrigin().map(SnapshotName::parse).ifPresent(o -> zfs.hold(SALVAGE_HOLD, o));
                    return;
                }
                case ORIGINAL -> {
                    // Everything the kept state needs is set before the rename, on the dataset itself (the properties
                    // travel with it): a run cut right after the rename finds the mountpoint for the clone, and the
                    // kept state is never mounted on its own again (it may keep the live path); read-only, as evidence.
                    String mountpoint = zfs.getProperty(local, "mountpoint").orElse("none");
                    zfs.set(local, MOUNTPOINT_PROPERTY, mountpoint);
                    zfs.set(local, "canmount", "noauto");
                    zfs.set(local, "readonly", "on");
                    zfs.unmount(local);
                    interruption.after("unmount");
                    zfs.rename(local, aside);
                    interruption.after("rename");
                    cloneBack(local, aside, common, mountpoint, name);
                }
                case RENAMED -> cloneBack(local, aside, common, zfs.getProperty(aside, MOUNTPOINT_PROPERTY).orElse("none"), name);
                case CLONED -> { }
                default -> throw new IllegalStateException("unknown phase " + phase);
            }
            interruption.after("clone");
            zfs.promote(local);
            interruption.after("promote");
            // The kept state is a clone of this snapshot now; retention must leave it alone rather than fail on it.
            zfs.hold(SALVAGE_HOLD, common);
            done.add("reset " + local + " to @" + plan.common() + "; its newer state is kept as " + aside);
        }

        private void cloneBack(DatasetName local, DatasetName aside, SnapshotName common, String mountpoint, String name) {
            Map<String, String> props = new java.util.LinkedHashMap<>();
            props.put("canmount", "noauto");
            props.put("readonly", "on");
            if (mountpoint.startsWith("/")) {
                props.put("mountpoint", mountpoint);
            }
            props.put(FailbackPlan.SALVAGE_PROPERTY, name);
            zfs.clone(aside.at(common.snapshot()), local, props);
        }

        /** The replication engine, endpoints swapped: the DR host's copies (through its granted key) → this host's names. */
        private long receive() {
            List<DatasetName> copies = survey.facts().stream().map(FailbackPlan.Facts::copy).toList();
            Map<DatasetName, DatasetName> back = new HashMap<>();
            survey.facts().forEach(f -> back.put(f.copy(), f.local()));
            UnaryOperator<DatasetName> naming = back::get;
            Zfs remote = dr.zfs();
            SnapshotCatalog catalog = new SnapshotCatalog(remote, copies);
            Map<String, Integer> all = new HashMap<>();
            // Every set the DR host took while it served, whatever its policy: they are this host's history now.
            catalog.sets().forEach(s -> all.put(s.tag().policy(), 1_000_000));
            // rollbackOnDivergence and prune false whatever the target says: a receive here never destroys a snapshot
            // of this host (no 'zfs rollback -r', no retention). A dataset that diverged is refused, not rolled back.
            ZfsTarget here = new ZfsTarget(HOLD_NAME, "local", 22, "root", Optional.empty(), Optional.empty(),
                    DatasetName.of(survey.facts().get(0).local().pool()), List.of(), Optional.empty(), all, t.bandwidth(),
                    t.stallTimeout(), t.commandTimeout(), false, ctx.config().zfs().command(), t.rpo(), false, t.minRate(),
                    t.maxDuration(), ZfsTarget.DEFAULT_PARALLEL_STREAMS);
            ReplicationOutcome o;
            // The context's gate, like the rest of this host's zfs work. No cycle runs here meanwhile (failback holds the
            // host's cycle lock), but a local end is built one way only: see TargetEndpoint.thisHost.
            try (TargetEndpoint local = TargetEndpoint.thisHost(here, zfs.runner(), receiver, zfs.gate())) {
                o = new Replicator(dr.asSource(), catalog, copies)
                        .replicate(here, local, false, new CopyNaming(here.root(), naming));
            }
            if (o instanceof ReplicationOutcome.Replicated r) {
                done.add("received " + r.steps().size() + " increments (" + r.bytes() + " bytes) from " + t.name()
                        + r.newestCommon().map(c -> ", newest " + c).orElse(""));
                return r.bytes();
            }
            throw new IllegalStateException("receiving from " + t.name() + ": " + describe(o));
        }

        private String describe(ReplicationOutcome o) {
            if (o instanceof ReplicationOutcome.Failed f) {
                return f.reason();
            }
            if (o instanceof ReplicationOutcome.Refused r) {
                return r.reason();
            }
            if (o instanceof ReplicationOutcome.NothingEligible n) {
                return n.reason();
            }
            return o.toString();
        }

        /** The final set is here on every dataset: this host's datasets become writable and mounted again. */
        private String cutover(HandbackMark h) {
            for (FailbackPlan.Facts f : survey.facts()) {
                List<SnapshotInfo> snaps = zfs.snapshots(f.local(), List.of());
                String newest = snaps.isEmpty() ? "" : snaps.get(snaps.size() - 1).name().snapshot();
                if (!newest.equals(h.set())) {
                    throw new IllegalStateException(f.local() + " ends at @" + newest + ", not at the DR host's final set "
                            + h.set() + ": run failback again");
                }
            }
            List<DatasetName> order = survey.facts().stream().map(FailbackPlan.Facts::local)
                    .sorted(Comparator.comparing(DatasetName::value)).toList();
            for (DatasetName d : order) {
                for (String p : LIVE_RESET) {
                    zfs.inherit(d, p);
                }
                zfs.set(d, "canmount", "on"); // not inheritable
                if (!zfs.getProperty(d, "mounted").orElse("no").equals("yes")) {
                    zfs.mount(d);
                }
                interruption.after("cutover-mount");
            }
            // Last: the plan calls this host live only when no dataset carries the mark and every one is writable and
            // mounted, so a run cut before this point does the cutover again.
            for (DatasetName d : order) {
                zfs.inherit(d, FailbackPlan.SALVAGE_PROPERTY);
                interruption.after("cutover-mark");
            }
            done.add("live again on " + h.set() + " (the DR host's final set): writable and mounted");
            return h.set();
        }
    }

    /** On a kept-aside dataset: where the dataset was mounted, for the clone that takes its name. */
    static final String MOUNTPOINT_PROPERTY = "org.zmsnap:failback-mountpoint";
}
