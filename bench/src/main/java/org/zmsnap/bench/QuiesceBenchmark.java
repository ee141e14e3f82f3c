package org.zmsnap.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.Tools;
import org.zmsnap.fixtures.zimbra.DeliveryLoad;
import org.zmsnap.fixtures.zimbra.GeneratedMailboxes;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.mariadb.LockSteps;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SetReport;
import org.zmsnap.snapshot.SnapshotCycle;

/**
 * What a snapshot cycle costs the mail flow: lock acquire and hold per quiesce method, and the latency of
 * deliveries (DeliveryLoad, Zimbra's write order, at a fixed rate) scheduled inside a cycle's run window
 * versus outside, on stores of several sizes. Optionally the same for one mariadb-backup run.
 */
public final class QuiesceBenchmark implements Benchmark {
    static final String VIA_COMMAND_SUFFIX = "-zfs-command";

    record Window(long start, long end) {
        boolean contains(long t) {
            return t >= start && t <= end;
        }
    }

    /** A clock the benchmark moves one second per cycle, so tags differ without waiting a second. */
    static final class SteppingClock extends Clock {
        volatile Instant now;

        SteppingClock(Instant start) {
            now = start;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Override
    public String name() {
        return "quiesce";
    }

    @Override
    public String description() {
        return "lock hold and delivery latency per quiesce method: --sizes 1,10 (GB store) --rate 200 --cycles 50"
                + " [--pause-ms 300] [--methods ftwrl,backup-stage,none] [--mariadb-backup true] [--baseline true]"
                + " (--baseline: issue 11's minimal FTWRL cycle, no zmsnap code, alternating with the ftwrl cycles;"
                + " a method ending in " + VIA_COMMAND_SUFFIX + ", e.g. ftwrl" + VIA_COMMAND_SUFFIX + ": libzfs-core off)";
    }

    @Override
    public BenchResult run(BenchContext ctx) throws Exception {
        String sizesArg = ctx.arg("--sizes") == null ? "1,10" : ctx.arg("--sizes");
        double rate = ctx.doubleArg("--rate", 200);
        int cycles = ctx.intArg("--cycles", 50);
        int pauseMs = ctx.intArg("--pause-ms", 300);
        int messages = ctx.intArg("--messages", 300);
        String methodsArg = ctx.arg("--methods") == null ? "ftwrl,backup-stage,none" : ctx.arg("--methods");
        boolean runBackup = !"false".equals(ctx.arg("--mariadb-backup"));
        boolean baselineOn = !"false".equals(ctx.arg("--baseline"));
        List<Integer> sizes = List.of(sizesArg.split(",")).stream().map(String::trim).map(Integer::parseInt).toList();
        List<String> methods = List.of(methodsArg.split(",")).stream().map(String::trim).toList();

        Map<String, Object> params = new LinkedHashMap<>();
        params.put("storeSizesGB", sizesArg);
        params.put("deliveriesPerSecond", rate);
        params.put("cyclesPerMethod", cycles);
        params.put("pauseBetweenCyclesMs", pauseMs);
        params.put("mailbox", "1 account, " + messages + " messages");
        params.put("methods", methodsArg);
        params.put("baseline", baselineOn ? "minimal FTWRL cycle (JDBC session + zfs CLI), alternating with ftwrl cycles" : "off");
        params.put("lockBudget", "2s (none: 10s, it bounds zfs snapshot), on-lock-failure crash-consistent");
        List<BenchResult.Metric> metrics = new ArrayList<>();
        boolean backupDone = false;

        for (int sizeGb : sizes) {
            String poolSize = Math.max(16, sizeGb + 6) + "G";
            try (SnapshotHost host = new SnapshotHost(poolSize)) {
                Path store = host.pool.mountpoint(host.pool.dataset("store"));
                long t0 = System.nanoTime();
                Filler.write(store.resolve("filler"), sizeGb * 1_000_000_000L, 256L << 20, sizeGb);
                // The filler sits in memory until ZFS writes it out; a snapshot waits for that (a txg sync), so
                // force it now instead of charging it to the first cycles.
                host.pool.zfs("snapshot", host.pool.dataset("store") + "@filler");
                host.pool.zfs("destroy", host.pool.dataset("store") + "@filler");
                Thread.sleep(3000);
                ctx.log().printf("quiesce: %d GB filler written and synced in %.1f s (store used %s)%n", sizeGb,
                        (System.nanoTime() - t0) / 1e9,
                        host.pool.zfs("list", "-H", "-o", "used", host.pool.dataset("store")).stdout().trim());
                GeneratedMailboxes mailboxes;
                try (Connection c = host.db.connect()) {
                    mailboxes = ZimbraMailboxGenerator.generate(c, store, 1, messages);
                }
                int mailboxId = mailboxes.accounts().get(0).mailboxId();
                metrics.addAll(probeZfs(ctx, host, sizeGb + " GB idle ", 20));
                try (DeliveryLoad load = DeliveryLoad.start(host.db, store, mailboxId, rate)) {
                    Thread.sleep(3000); // warm-up: connections, buffer pool
                    SteppingClock clock = new SteppingClock(Instant.parse("2026-01-01T00:00:00Z"));
                    for (String method : methods) {
                        drain(ctx, load);
                        // Without a lock the budget only bounds 'zfs snapshot'; give it room so it is measured.
                        // METHOD-zfs-command: the same cycle with libzfs-core off, the snapshot always through the zfs
                        // program (an A/B of the in-process snapshot where the host has libzfs_core).
                        boolean viaCommand = method.endsWith(VIA_COMMAND_SUFFIX);
                        String quiesce = viaCommand ? method.substring(0, method.length() - VIA_COMMAND_SUFFIX.length()) : method;
                        String budget = quiesce.equals("none") ? "10s" : "2s";
                        Config cfg = ConfigLoader.parse(host.yaml(quiesce, budget, "crash-consistent", "zfs", "",
                                viaCommand ? "  libzfs-core: off\n" : ""), host.dir.resolve("zmsnap.yaml"));
                        List<Window> windows = new ArrayList<>();
                        List<Double> hold = new ArrayList<>();
                        List<Double> acquire = new ArrayList<>();
                        List<Double> snap = new ArrayList<>();
                        List<Double> cycle = new ArrayList<>();
                        List<LockSteps> steps = new ArrayList<>();
                        List<Double> stepHold = new ArrayList<>();
                        boolean withBaseline = baselineOn && quiesce.equals("ftwrl");
                        List<Window> baseWindows = new ArrayList<>();
                        List<MinimalBaseline.Times> base = new ArrayList<>();
                        int[] baseNotAcquired = new int[1];
                        List<Double> heldOnly = new ArrayList<>();
                        int consistent = 0;
                        List<String> failed = new ArrayList<>();
                        long phaseStart;
                        long phaseEnd;
                        double loadBefore = loadAverage();
                        try (AgentContext actx = new AgentContext(cfg);
                             MinimalBaseline baseline = withBaseline
                                     ? new MinimalBaseline(host.db.connect(), host.pool.name() + "/zimbra") : null) {
                            SnapshotCycle sc = new SnapshotCycle(cfg, actx.zfs(), actx.quiescer(), clock);
                            Thread.sleep(pauseMs);
                            phaseStart = System.nanoTime();
                            for (int i = 0; i < cycles; i++) {
                                // Alternating cycle by cycle, and which goes first, so both see the same load and machine.
                                boolean baselineFirst = withBaseline && i % 2 == 1;
                                if (baselineFirst) {
                                    runBaseline(baseline, i, base, baseWindows, baseNotAcquired);
                                    Thread.sleep(pauseMs);
                                }
                                clock.now = clock.now.plusSeconds(1);
                                long s = System.nanoTime();
                                CycleOutcome o = sc.run("bench");
                                long e = System.nanoTime();
                                windows.add(new Window(s, e));
                                cycle.add((e - s) / 1e6);
                                if (o instanceof CycleOutcome.Taken taken) {
                                    SetReport r = taken.report();
                                    hold.add(r.holdMicros() / 1000.0);
                                    acquire.add(r.acquireMicros() / 1000.0);
                                    snap.add(r.snapshotMicros() / 1000.0);
                                    if (r.holdMicros() > 0) {
                                        steps.add(r.steps());
                                        stepHold.add(r.holdMicros() / 1000.0);
                                        heldOnly.add(r.holdMicros() / 1000.0);
                                    }
                                    consistent += r.consistent() ? 1 : 0;
                                } else {
                                    failed.add(o.toString());
                                    ctx.log().println("quiesce: " + method + " cycle " + i + " not taken: " + o);
                                }
                                Thread.sleep(pauseMs);
                                if (withBaseline && !baselineFirst) {
                                    runBaseline(baseline, i, base, baseWindows, baseNotAcquired);
                                    Thread.sleep(pauseMs);
                                }
                            }
                            phaseEnd = System.nanoTime();
                        }
                        double loadAfter = loadAverage();
                        Thread.sleep(1000); // let deliveries scheduled in the phase complete
                        List<Double> during = new ArrayList<>();
                        List<Double> duringBaseline = new ArrayList<>();
                        List<Double> outside = new ArrayList<>();
                        for (DeliveryLoad.Delivery d : load.deliveries()) {
                            long t = d.scheduledNanos();
                            if (t < phaseStart || t > phaseEnd) {
                                continue;
                            }
                            if (windows.stream().anyMatch(w -> w.contains(t))) {
                                during.add(d.latencyMicros() / 1000.0);
                            } else if (baseWindows.stream().anyMatch(w -> w.contains(t))) {
                                duringBaseline.add(d.latencyMicros() / 1000.0);
                            } else {
                                outside.add(d.latencyMicros() / 1000.0);
                            }
                        }
                        Stats h = new Stats(hold);
                        Stats a = new Stats(acquire);
                        Stats sn = new Stats(snap);
                        Stats cy = new Stats(cycle);
                        Stats dd = new Stats(during);
                        Stats od = new Stats(outside);
                        String p = sizeGb + " GB " + method + " ";
                        ctx.log().printf("quiesce: %s: hold med %.1f p99 %.1f ms, acquire med %.1f, snapshot med %.1f,"
                                        + " cycle med %.0f ms; deliveries during %d (p99 %.1f max %.1f) outside %d (p99 %.1f max %.1f);"
                                        + " consistent %d/%d; errors %d%n",
                                p, h.median(), h.percentile(99), a.median(), sn.median(), cy.median(), dd.count(),
                                dd.percentile(99), dd.max(), od.count(), od.percentile(99), od.max(), consistent, cycles,
                                load.errorCount());
                        if (!quiesce.equals("none")) {
                            metrics.add(new BenchResult.Metric(p + "lock hold median", h.median(), "ms", 1));
                            metrics.add(new BenchResult.Metric(p + "lock hold p99", h.percentile(99), "ms", 1));
                            metrics.add(new BenchResult.Metric(p + "lock hold max", h.max(), "ms", 1));
                            metrics.add(new BenchResult.Metric(p + "acquire median", a.median(), "ms", 1));
                        }
                        metrics.add(new BenchResult.Metric(p + "zfs snapshot median", sn.median(), "ms", 1));
                        metrics.add(new BenchResult.Metric(p + "zfs snapshot p99", sn.percentile(99), "ms", 1));
                        metrics.add(new BenchResult.Metric(p + "cycle median", cy.median(), "ms", 0));
                        metrics.add(new BenchResult.Metric(p + "consistent sets", consistent, "of " + cycles, 0));
                        metrics.add(new BenchResult.Metric(p + "failed cycles", failed.size(), "of " + cycles, 0));
                        metrics.add(new BenchResult.Metric(p + "deliveries during cycles", dd.count(), "deliveries", 0));
                        metrics.add(new BenchResult.Metric(p + "delivery latency during cycles p99", dd.percentile(99), "ms", 1));
                        metrics.add(new BenchResult.Metric(p + "delivery latency during cycles max", dd.max(), "ms", 1));
                        metrics.add(new BenchResult.Metric(p + "deliveries > 150 ms during cycles", dd.countAbove(150), "deliveries", 0));
                        metrics.add(new BenchResult.Metric(p + "deliveries outside cycles", od.count(), "deliveries", 0));
                        metrics.add(new BenchResult.Metric(p + "delivery latency outside cycles p99", od.percentile(99), "ms", 1));
                        metrics.add(new BenchResult.Metric(p + "delivery latency outside cycles max", od.max(), "ms", 1));
                        String lp = p.strip();
                        ctx.log().printf("quiesce: %s: load average %.2f before, %.2f after the phase (%d cores)%n", lp, loadBefore,
                                loadAfter, Runtime.getRuntime().availableProcessors());
                        metrics.add(new BenchResult.Metric(p + "load average (1 min) before", loadBefore, "", 2));
                        metrics.add(new BenchResult.Metric(p + "load average (1 min) after", loadAfter, "", 2));
                        if (!steps.isEmpty()) {
                            metrics.addAll(stepMetrics(ctx, p, steps, stepHold));
                        }
                        if (withBaseline) {
                            metrics.addAll(baselineMetrics(ctx, p, base, baseNotAcquired[0], new Stats(heldOnly), new Stats(duringBaseline)));
                        }
                        destroySnapshots(host);
                        Thread.sleep(1000);
                    }
                    if (runBackup && !backupDone) {
                        backupDone = true;
                        drain(ctx, load);
                        metrics.addAll(mariadbBackup(ctx, host, load, sizeGb));
                    }
                    load.stop();
                    if (load.errorCount() > 0) {
                        ctx.log().println("quiesce: delivery errors: " + load.errors().subList(0, Math.min(5, load.errorCount())));
                    }
                    metrics.add(new BenchResult.Metric(sizeGb + " GB delivery errors", load.errorCount(), "deliveries", 0));
                }
            }
        }
        return new BenchResult(name(), params, metrics);
    }

    private static void runBaseline(MinimalBaseline baseline, int i, List<MinimalBaseline.Times> out, List<Window> windows,
                                    int[] notAcquired) throws Exception {
        long s = System.nanoTime();
        baseline.run("base_" + i).ifPresentOrElse(out::add, () -> notAcquired[0]++);
        windows.add(new Window(s, System.nanoTime()));
    }

    /** Where zmsnap's hold went, step by step (medians; "rest" is the hold minus its steps: this JVM's own time). */
    private static List<BenchResult.Metric> stepMetrics(BenchContext ctx, String p, List<LockSteps> steps, List<Double> hold) {
        Map<String, java.util.function.ToLongFunction<LockSteps>> parts = new LinkedHashMap<>();
        parts.put("before lock: redo pre-flush", LockSteps::preflushMicros);
        parts.put("before lock: txg sync", LockSteps::beforeAcquireMicros);
        parts.put("in hold: FLUSH ENGINE LOGS", LockSteps::flushMicros);
        parts.put("in hold: snapshot (action)", LockSteps::actionMicros);
        parts.put("in hold: positions wait", LockSteps::positionsWaitMicros);
        parts.put("in hold: release", LockSteps::releaseMicros);
        parts.put("alongside: positions read", LockSteps::positionsMicros);
        parts.put("after release: flush setting restore", LockSteps::restoreMicros);
        List<BenchResult.Metric> out = new ArrayList<>();
        StringBuilder line = new StringBuilder("quiesce: " + p.strip() + " steps (median ms):");
        for (var e : parts.entrySet()) {
            Stats st = new Stats(steps.stream().map(x -> e.getValue().applyAsLong(x) / 1000.0).toList());
            out.add(new BenchResult.Metric(p + "step " + e.getKey() + " median", st.median(), "ms", 2));
            out.add(new BenchResult.Metric(p + "step " + e.getKey() + " p99", st.percentile(99), "ms", 2));
            line.append(String.format(java.util.Locale.ROOT, " %s %.2f;", e.getKey(), st.median()));
        }
        List<Double> rest = new ArrayList<>();
        for (int i = 0; i < steps.size() && i < hold.size(); i++) {
            rest.add(hold.get(i) - steps.get(i).insideMicros() / 1000.0);
        }
        Stats r = new Stats(rest);
        out.add(new BenchResult.Metric(p + "step in hold: rest median", r.median(), "ms", 2));
        ctx.log().println(line.append(String.format(java.util.Locale.ROOT, " in hold: rest %.2f", r.median())));
        return out;
    }

    /** Both sides over the cycles that held the lock (a cycle that did not get it held nothing to compare). */
    private static List<BenchResult.Metric> baselineMetrics(BenchContext ctx, String p, List<MinimalBaseline.Times> base,
                                                            int baseNotAcquired, Stats zmsnapHold, Stats deliveries) {
        Stats bh = new Stats(base.stream().map(MinimalBaseline.Times::holdMs).toList());
        Stats ba = new Stats(base.stream().map(MinimalBaseline.Times::acquireMs).toList());
        Stats bf = new Stats(base.stream().map(MinimalBaseline.Times::flushMs).toList());
        Stats bs = new Stats(base.stream().map(MinimalBaseline.Times::snapshotMs).toList());
        Stats bu = new Stats(base.stream().map(MinimalBaseline.Times::restoreAndUnlockMs).toList());
        ctx.log().printf(java.util.Locale.ROOT, "quiesce: %s minimal baseline (%d held, %d not acquired): hold med %.1f p99 %.1f ms (acquire %.1f,"
                        + " set+flush %.2f, zfs snapshot -r %.1f, restore+unlock %.2f); zmsnap hold (%d held) med %.1f p99 %.1f;"
                        + " zmsnap/baseline median %.2f, p99 %.2f; deliveries during baseline %d (p99 %.1f max %.1f)%n",
                p.strip(), bh.count(), baseNotAcquired, bh.median(), bh.percentile(99), ba.median(), bf.median(), bs.median(), bu.median(),
                zmsnapHold.count(), zmsnapHold.median(), zmsnapHold.percentile(99), zmsnapHold.median() / bh.median(),
                zmsnapHold.percentile(99) / bh.percentile(99), deliveries.count(), deliveries.percentile(99), deliveries.max());
        return List.of(
                new BenchResult.Metric(p + "baseline cycles held", bh.count(), "cycles", 0),
                new BenchResult.Metric(p + "baseline cycles not acquired", baseNotAcquired, "cycles", 0),
                new BenchResult.Metric(p + "zmsnap lock hold median (held cycles)", zmsnapHold.median(), "ms", 1),
                new BenchResult.Metric(p + "zmsnap lock hold p99 (held cycles)", zmsnapHold.percentile(99), "ms", 1),
                new BenchResult.Metric(p + "baseline lock hold median", bh.median(), "ms", 1),
                new BenchResult.Metric(p + "baseline lock hold p99", bh.percentile(99), "ms", 1),
                new BenchResult.Metric(p + "baseline lock hold max", bh.max(), "ms", 1),
                new BenchResult.Metric(p + "baseline acquire median", ba.median(), "ms", 1),
                new BenchResult.Metric(p + "baseline step SET + FLUSH ENGINE LOGS median", bf.median(), "ms", 2),
                new BenchResult.Metric(p + "baseline step zfs snapshot -r median", bs.median(), "ms", 1),
                new BenchResult.Metric(p + "baseline step zfs snapshot -r p99", bs.percentile(99), "ms", 1),
                new BenchResult.Metric(p + "baseline step restore + UNLOCK median", bu.median(), "ms", 2),
                new BenchResult.Metric(p + "zmsnap/baseline hold median ratio", zmsnapHold.median() / bh.median(), "", 2),
                new BenchResult.Metric(p + "zmsnap/baseline hold p99 ratio", zmsnapHold.percentile(99) / bh.percentile(99), "", 2),
                new BenchResult.Metric(p + "deliveries during baseline cycles", deliveries.count(), "deliveries", 0),
                new BenchResult.Metric(p + "delivery latency during baseline cycles p99", deliveries.percentile(99), "ms", 1),
                new BenchResult.Metric(p + "delivery latency during baseline cycles max", deliveries.max(), "ms", 1));
    }

    /**
     * Where a snapshot's time goes before any load: a bare process start ({@code /bin/true}), a start of the zfs
     * program that does one ioctl ({@code zfs list -H -o name <pool>}: libzfs opens /dev/zfs and reads the mount
     * table), and {@code zfs snapshot -r <pool>/zimbra@probe_N} (destroyed again), each {@code n} times, started the
     * way {@link MinimalBaseline} starts zfs.
     */
    private static List<BenchResult.Metric> probeZfs(BenchContext ctx, SnapshotHost host, String p, int n) throws Exception {
        List<Double> bare = new ArrayList<>();
        List<Double> list = new ArrayList<>();
        List<Double> snap = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            bare.add(timed("true"));
            list.add(timed("zfs", "list", "-H", "-o", "name", host.pool.name()));
            snap.add(timed("zfs", "snapshot", "-r", host.pool.name() + "/zimbra@probe_" + i));
            Thread.sleep(100);
        }
        for (int i = 0; i < n; i++) {
            host.pool.zfs("destroy", "-r", host.pool.name() + "/zimbra@probe_" + i);
        }
        Stats b = new Stats(bare);
        Stats l = new Stats(list);
        Stats s = new Stats(snap);
        ctx.log().printf(java.util.Locale.ROOT, "quiesce: %sprobe (median / p99 ms, %d each): process start (true) %.2f / %.2f,"
                        + " zfs list of the pool %.2f / %.2f, zfs snapshot -r %.2f / %.2f%n", p, n, b.median(), b.percentile(99),
                l.median(), l.percentile(99), s.median(), s.percentile(99));
        return List.of(
                new BenchResult.Metric(p + "process start (/bin/true) median", b.median(), "ms", 2),
                new BenchResult.Metric(p + "zfs process start (zfs list of the pool) median", l.median(), "ms", 2),
                new BenchResult.Metric(p + "zfs process start (zfs list of the pool) p99", l.percentile(99), "ms", 2),
                new BenchResult.Metric(p + "zfs snapshot -r median", s.median(), "ms", 2),
                new BenchResult.Metric(p + "zfs snapshot -r p99", s.percentile(99), "ms", 2));
    }

    private static double timed(String... argv) throws Exception {
        long t = System.nanoTime();
        Process pr = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        int exit = pr.waitFor();
        double ms = (System.nanoTime() - t) / 1e6;
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed: " + out.strip());
        }
        return ms;
    }

    /** The 1-minute load average: the machine is shared, so every phase says how busy it was. */
    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** Waits (up to a minute) until deliveries keep up again: none of the last second's above 50 ms. */
    private static void drain(BenchContext ctx, DeliveryLoad load) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            long since = System.nanoTime() - 1_500_000_000L;
            List<DeliveryLoad.Delivery> recent = load.deliveries().stream().filter(d -> d.scheduledNanos() > since).toList();
            if (recent.size() > 10 && recent.stream().allMatch(d -> d.latencyMicros() < 50_000)) {
                return;
            }
        }
        ctx.log().println("quiesce: warning: deliveries still lag after a minute of waiting");
    }

    private static void destroySnapshots(SnapshotHost host) {
        for (String s : host.snapshots()) {
            host.pool.zfs("destroy", s);
        }
    }

    private static List<BenchResult.Metric> mariadbBackup(BenchContext ctx, SnapshotHost host, DeliveryLoad load,
                                                          int sizeGb) throws Exception {
        var tool = Tools.find("mariadb-backup");
        if (tool.isEmpty()) {
            ctx.log().println("quiesce: mariadb-backup is not installed (apt-get install mariadb-backup): skipped");
            return List.of();
        }
        Path target = host.dir.resolve("mariadb-backup");
        String password = Files.readString(host.db.passwordFile()).trim();
        ProcessBuilder pb = new ProcessBuilder(tool.get().toString(), "--backup", "--target-dir=" + target,
                "--user=root", "--password=" + password, "--socket=" + host.db.socket())
                .redirectErrorStream(true).redirectOutput(host.dir.resolve("mariadb-backup.log").toFile());
        long s = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("mariadb-backup did not finish in 10 minutes");
        }
        long e = System.nanoTime();
        if (p.exitValue() != 0) {
            ctx.log().println("quiesce: mariadb-backup failed:\n" + Files.readString(host.dir.resolve("mariadb-backup.log")));
            return List.of();
        }
        Thread.sleep(1000);
        List<Double> during = new ArrayList<>();
        for (DeliveryLoad.Delivery d : load.deliveries()) {
            if (d.scheduledNanos() >= s && d.scheduledNanos() <= e) {
                during.add(d.latencyMicros() / 1000.0);
            }
        }
        Stats st = new Stats(during);
        Files.readAllLines(host.dir.resolve("mariadb-backup.log")).stream()
                .filter(l -> l.contains("BACKUP STAGE") || l.contains("completed OK"))
                .forEach(l -> ctx.log().println("quiesce:   mariadb-backup: " + l));
        ctx.log().printf("quiesce: mariadb-backup %.2f s; deliveries during %d, p99 %.1f max %.1f ms%n", (e - s) / 1e9,
                st.count(), st.percentile(99), st.max());
        String m = sizeGb + " GB mariadb-backup ";
        return List.of(
                new BenchResult.Metric(m + "duration", (e - s) / 1e9, "s", 2),
                new BenchResult.Metric(m + "deliveries during run", st.count(), "deliveries", 0),
                new BenchResult.Metric(m + "delivery latency during run p99", st.percentile(99), "ms", 1),
                new BenchResult.Metric(m + "delivery latency during run max", st.max(), "ms", 1));
    }
}
