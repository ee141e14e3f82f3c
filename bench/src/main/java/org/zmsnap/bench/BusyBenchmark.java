package org.zmsnap.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.fixtures.zimbra.DeliveryLoad;
import org.zmsnap.fixtures.zimbra.GeneratedMailboxes;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.metrics.Health;
import org.zmsnap.metrics.Metrics;
import org.zmsnap.schedule.CycleService;
import org.zmsnap.schedule.ReplicationService;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SetReport;

/**
 * zmsnapd under its own work: the daemon's parts wired as {@code Daemon} wires them (one {@link AgentContext} and so one
 * ZFS work gate, {@link CycleService} with retention, {@link ReplicationService} after every set to a second pool on this
 * host), a cycle every {@code --period-ms} on one thread (the scheduler's single worker), under DeliveryLoad. First a few
 * cycles with nothing replicating (the idle hold), then the busy phase.
 */
public final class BusyBenchmark implements Benchmark {
    static final String TARGET = "dr1";

    @Override
    public String name() {
        return "busy";
    }

    @Override
    public String description() {
        return "zmsnapd with after-snapshot replication to a local pool and retention under load: --cycles 100 --period-ms 5000"
                + " --rate 200 [--idle-cycles 10] [--keep 10] [--messages 300] [--baseline-seconds 50] [--retry-window 30s]"
                + " [--quiesce auto|ftwrl|backup-stage]"
                + " (the baseline: the same load with nothing of zmsnap running, first)";
    }

    @Override
    public BenchResult run(BenchContext ctx) throws Exception {
        int cycles = ctx.intArg("--cycles", 100);
        int idleCycles = ctx.intArg("--idle-cycles", 10);
        int periodMs = ctx.intArg("--period-ms", 5000);
        double rate = ctx.doubleArg("--rate", 200);
        int keep = ctx.intArg("--keep", 10);
        int messages = ctx.intArg("--messages", 300);
        int baselineSeconds = ctx.intArg("--baseline-seconds", 50);
        // zmsnapd's default: a cycle backs off and retries the lock this long before it takes a crash-consistent set.
        String retryWindow = ctx.arg("--retry-window") == null ? "30s" : ctx.arg("--retry-window");
        // zmsnapd's default too: this benchmark is the daemon as a site runs it.
        String quiesce = ctx.arg("--quiesce") == null ? "auto" : ctx.arg("--quiesce");
        if (!List.of("auto", "ftwrl", "backup-stage").contains(quiesce)) {
            throw new IllegalArgumentException("--quiesce: auto, ftwrl or backup-stage, not " + quiesce);
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("cycles", cycles);
        params.put("idleCycles", idleCycles);
        params.put("periodMs", periodMs);
        params.put("deliveriesPerSecond", rate);
        params.put("keep", keep + " sets on the host, " + keep + " on the target");
        params.put("mailbox", "1 account, " + messages + " messages");
        params.put("baseline", baselineSeconds + " s of the same load with nothing of zmsnap running, before the cycles");
        params.put("quiesce", quiesce + ", lock budget 2s, on-lock-failure crash-consistent, retry-window " + retryWindow);
        params.put("target", "zfs, host: local (a second pool), after-snapshot, prune: true");
        List<BenchResult.Metric> out = new ArrayList<>();

        try (SnapshotHost host = new SnapshotHost("8G"); ZfsPool dr = ZfsPool.createEmpty("zbusy", "8G")) {
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            GeneratedMailboxes mailboxes;
            try (Connection c = host.db.connect()) {
                mailboxes = ZimbraMailboxGenerator.generate(c, store, 1, messages);
            }
            String yaml = host.yaml(quiesce, "2s", "crash-consistent", "zfs", "  retry-window: " + retryWindow + "\n")
                    + "policies:\n  busy: { schedule: \"0/5 * * * * ?\", keep: " + keep + " }\n"
                    + "targets:\n  " + TARGET + ":\n    type: zfs\n    host: local\n    root: " + dr.name() + "/mbox1\n"
                    + "    keep: { busy: " + keep + " }\n    after-snapshot: [ busy ]\n    stall-timeout: 30s\n";
            Config cfg = ConfigLoader.parse(yaml, host.writeConfig(yaml));
            Map<String, Duration> periods = Map.of("busy", Duration.ofMillis(periodMs));
            try (AgentContext actx = new AgentContext(cfg);
                 Metrics metrics = new Metrics(cfg.host(), cfg.mariadb().lockBudget(), periods);
                 ReplicationService replication = new ReplicationService(actx, metrics);
                 DeliveryLoad load = DeliveryLoad.start(host.db, store, mailboxes.accounts().get(0).mailboxId(), rate)) {
                actx.gate().listen(metrics::gateWork);
                Health health = new Health(periods, Clock.systemUTC());
                CycleService idle = new CycleService(actx, metrics, health, Clock.systemUTC(), p -> { });
                CycleService busy = new CycleService(actx, metrics, health, Clock.systemUTC(), replication::afterSnapshot);
                Thread.sleep(3000); // warm-up: connections, buffer pool

                // The baseline first: what this machine does to the same deliveries with nothing of zmsnap running, not
                // even a receive's dirty data still being written. A worst delivery means something only beside it.
                long baseStart = System.nanoTime();
                Thread.sleep(baselineSeconds * 1000L);
                long baseEnd = System.nanoTime();
                settle(ctx, load, baseEnd);
                List<DeliveryLoad.Delivery> baseline = load.deliveries().stream()
                        .filter(d -> d.scheduledNanos() >= baseStart && d.scheduledNanos() <= baseEnd).toList();
                Stats base = new Stats(baseline.stream().map(d -> d.latencyMicros() / 1000.0).toList());
                ctx.log().printf("busy: baseline (no zmsnap, %d s): deliveries %d, p99 %.1f max %.1f ms%n", baselineSeconds,
                        base.count(), base.percentile(99), base.max());
                worst(ctx, "baseline", baseline, List.of(), (from, to) -> false, 5);

                // Then the seed, outside every phase: a host in service replicates increments, and the full stream
                // of its first set (the whole mailbox) is a one-off. Measured apart.
                long seedStart = System.nanoTime();
                CycleOutcome seedSet = idle.snapshot("busy");
                if (!(seedSet instanceof CycleOutcome.Taken)) {
                    throw new IllegalStateException("the seed's set was not taken: " + seedSet);
                }
                replication.submit(TARGET);
                Map<String, Double> seeded = awaitRuns(metrics, 1, Duration.ofMinutes(10));
                if (seeded.get("replicated") < 1) {
                    // Otherwise the full stream would run inside the busy phase, unnoticed.
                    throw new IllegalStateException("the seed's replication did not replicate: " + seeded);
                }
                ctx.log().printf("busy: seed (a set and its full replication, before the phases) %.1f s: %s%n",
                        (System.nanoTime() - seedStart) / 1e9, seeded);

                Phase quiet = phase(ctx, "idle", idle, idleCycles, periodMs, load);
                Phase loaded;
                try (StreamWindows streams = new StreamWindows(metrics.registry(), TARGET)) {
                    loaded = phase(ctx, "busy", busy, cycles, periodMs, load);
                    worst(ctx, "busy", loaded.deliveries(), loaded.windows(), streams::ranBetween, 10);
                }
                // The last replication may still run: give it a period's time to be counted.
                Thread.sleep(periodMs);
                Map<String, Double> runs = new LinkedHashMap<>();
                runs(metrics).forEach((r, n) -> runs.put(r, n - seeded.getOrDefault(r, 0.0)));
                var destroyed = metrics.registry().find("zmsnap.retention.destroyed").counter();
                var workWaits = metrics.registry().find("zmsnap.gate.wait").tag("side", "work").timer();
                Stats idleHold = new Stats(quiet.hold);
                Stats h = new Stats(loaded.hold);
                Stats gw = new Stats(loaded.gateWait);
                Stats dl = new Stats(loaded.delivery);
                ctx.log().printf("busy: idle hold median %.1f ms; busy hold median %.1f p99 %.1f max %.1f ms; failed cycles %d;"
                                + " gate forced %d, cycle gate wait median %.1f max %.1f ms; replications %s; deliveries %d,"
                                + " p99 %.1f max %.1f ms, errors %d%n", idleHold.median(), h.median(), h.percentile(99), h.max(),
                        loaded.failed.size(), loaded.forced, gw.median(), gw.max(), runs, dl.count(), dl.percentile(99), dl.max(),
                        load.errorCount());
                out.add(new BenchResult.Metric("idle hold median (" + idleCycles + " cycles, no replication; held ones: " + idleHold.count() + ")",
                        idleHold.median(), "ms", 1));
                out.add(new BenchResult.Metric("failed cycles", loaded.failed.size(), "of " + cycles, 0));
                out.add(new BenchResult.Metric("inconsistent sets", loaded.inconsistent, "of " + cycles, 0));
                out.add(new BenchResult.Metric("hold median (cycles that had the lock: " + h.count() + ")", h.median(), "ms", 1));
                out.add(new BenchResult.Metric("hold p99", h.percentile(99), "ms", 1));
                out.add(new BenchResult.Metric("hold max", h.max(), "ms", 1));
                out.add(new BenchResult.Metric("hold p99 / idle median", h.percentile(99) / idleHold.median(), "x", 2));
                out.add(new BenchResult.Metric("gate forced", loaded.forced, "cycles", 0));
                out.add(new BenchResult.Metric("cycle gate wait median", gw.median(), "ms", 1));
                out.add(new BenchResult.Metric("cycle gate wait max", gw.max(), "ms", 1));
                out.add(new BenchResult.Metric("cycles that waited at the gate", gw.countAbove(0.05), "cycles", 0));
                out.add(new BenchResult.Metric("replication/retention commands that waited for a cycle",
                        workWaits == null ? 0 : workWaits.count(), "commands", 0));
                out.add(new BenchResult.Metric("replications replicated", runs.get("replicated"), "runs", 0));
                out.add(new BenchResult.Metric("replications up to date", runs.get("up-to-date"), "runs", 0));
                out.add(new BenchResult.Metric("replications failed or refused", runs.get("failed") + runs.get("refused"), "runs", 0));
                out.add(new BenchResult.Metric("sets destroyed by retention", destroyed == null ? 0 : destroyed.count(), "sets", 0));
                out.add(new BenchResult.Metric("deliveries in the busy phase", dl.count(), "deliveries", 0));
                out.add(new BenchResult.Metric("delivery latency p99", dl.percentile(99), "ms", 1));
                out.add(new BenchResult.Metric("delivery latency max (worst)", dl.max(), "ms", 1));
                Stats in = new Stats(loaded.duringCycles);
                Stats off = new Stats(loaded.outside);
                out.add(new BenchResult.Metric("delivery latency during cycles p99", in.percentile(99), "ms", 1));
                out.add(new BenchResult.Metric("delivery latency during cycles max", in.max(), "ms", 1));
                out.add(new BenchResult.Metric("delivery latency outside cycles p99", off.percentile(99), "ms", 1));
                out.add(new BenchResult.Metric("delivery latency outside cycles max", off.max(), "ms", 1));
                out.add(new BenchResult.Metric("deliveries > 100 ms during cycles", in.countAbove(100), "of " + in.count(), 0));
                out.add(new BenchResult.Metric("deliveries > 100 ms outside cycles", off.countAbove(100), "of " + off.count(), 0));
                out.add(new BenchResult.Metric("baseline (no zmsnap): deliveries", base.count(), "deliveries", 0));
                out.add(new BenchResult.Metric("baseline (no zmsnap): delivery latency p99", base.percentile(99), "ms", 1));
                out.add(new BenchResult.Metric("baseline (no zmsnap): delivery latency max", base.max(), "ms", 1));
                out.add(new BenchResult.Metric("baseline (no zmsnap): deliveries > 100 ms", base.countAbove(100), "of " + base.count(), 0));
                if (base.count() > 0 && base.max() > 0) {
                    out.add(new BenchResult.Metric("worst delivery / baseline's worst", dl.max() / base.max(), "x", 2));
                }
                out.add(new BenchResult.Metric("failed deliveries", load.errorCount(), "deliveries", 0));
                loaded.failed.forEach(f -> ctx.log().println("busy: failed cycle: " + f));
            }
        }
        return new BenchResult(name(), params, out);
    }

    /** Replication runs to the target so far, by result. */
    private static Map<String, Double> runs(Metrics metrics) {
        Map<String, Double> runs = new LinkedHashMap<>();
        for (String r : List.of("replicated", "up-to-date", "nothing-eligible", "refused", "failed")) {
            var c = metrics.registry().find("zmsnap.replication").tag("target", TARGET).tag("result", r).counter();
            runs.put(r, c == null ? 0 : c.count());
        }
        return runs;
    }

    /** Waits until {@code n} replication runs have ended (whatever their result); their counts. */
    private static Map<String, Double> awaitRuns(Metrics metrics, int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, Double> runs = runs(metrics);
            if (runs.values().stream().mapToDouble(Double::doubleValue).sum() >= n) {
                return runs;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the seed's replication did not end within " + timeout + ": " + runs);
            }
            Thread.sleep(100);
        }
    }

    /** What one phase's cycles measured; {@code windows} each cycle's run (nanoTime, start and end), in order. */
    record Phase(List<Double> hold, List<Double> gateWait, List<Double> delivery, List<Double> duringCycles, List<Double> outside,
                 List<String> failed, int forced, int inconsistent, List<long[]> windows, List<DeliveryLoad.Delivery> deliveries) {
    }

    /**
     * The {@code n} slowest deliveries of a phase, each placed: inside which cycle's run (and how far into it) or how
     * long after the last one ended, whether the target's streams were running, and where its time went (waiting for
     * a writer, the blob's write and fsync, the transaction). A worst delivery is explained from these lines and the
     * daemon's log around its time, which they give as wall-clock time.
     */
    private static void worst(BenchContext ctx, String phase, List<DeliveryLoad.Delivery> deliveries, List<long[]> windows,
                              StreamsRan streaming, int n) {
        long nanos0 = System.nanoTime();
        java.time.Instant wall0 = java.time.Instant.now();
        deliveries.stream().sorted(java.util.Comparator.comparingLong(DeliveryLoad.Delivery::latencyMicros).reversed())
                .limit(n).forEach(d -> {
                    long t = d.scheduledNanos();
                    String where = windows.isEmpty() ? "no cycle ran" : "before the first cycle";
                    for (int i = 0; i < windows.size(); i++) {
                        long[] w = windows.get(i);
                        if (t >= w[0] && t <= w[1]) {
                            where = String.format("in cycle %d, %.1f ms after its start (it ran %.1f ms)", i + 1, (t - w[0]) / 1e6,
                                    (w[1] - w[0]) / 1e6);
                            break;
                        }
                        if (t > w[1]) {
                            where = String.format("%.1f ms after cycle %d ended", (t - w[1]) / 1e6, i + 1);
                        }
                    }
                    ctx.log().printf("busy: %s phase, slow delivery %.1f ms, scheduled %s (waiting for a writer %.1f, building"
                                    + " %.1f, blob write+fsync %.1f, transaction %.1f ms): %s; replication streams %s%n", phase,
                            d.latencyMicros() / 1000.0, wall0.minusNanos(nanos0 - t), d.queuedMicros() / 1000.0,
                            d.buildMicros() / 1000.0, d.blobMicros() / 1000.0, d.commitMicros() / 1000.0, where,
                            streaming.between(t, t + d.latencyMicros() * 1000) ? "running while it waited" : "not running");
                });
    }

    /** Whether any replication stream ran at some time in [from, to] (nanoTime). */
    @FunctionalInterface
    interface StreamsRan {
        boolean between(long from, long to);
    }

    /** Waits for the deliveries scheduled up to {@code nanos}: the slowest are the ones still queued at a phase's end. */
    private static void settle(BenchContext ctx, DeliveryLoad load, long nanos) throws InterruptedException {
        if (!load.awaitSettled(nanos, Duration.ofMinutes(2))) {
            ctx.log().println("busy: deliveries of the phase still unsettled after 2 minutes; the figures leave them out");
        }
    }

    /**
     * When the target's replication streams ran, sampled every 5 ms from the gauge {@code zmsnap status} reads
     * ({@code zmsnap_replication_transfer_streams}); the gaps between a run's streams (listing, holds, retention on the
     * target) do not count as running.
     */
    static final class StreamWindows implements AutoCloseable {
        private final java.util.concurrent.ScheduledExecutorService sampler =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread th = new Thread(r, "bench-stream-sampler");
                    th.setDaemon(true);
                    return th;
                });
        private final List<long[]> windows = java.util.Collections.synchronizedList(new ArrayList<>());
        private volatile long since = -1;

        StreamWindows(io.micrometer.core.instrument.MeterRegistry registry, String target) {
            sampler.scheduleAtFixedRate(() -> {
                var g = registry.find("zmsnap.replication.transfer.streams").tag("target", target).gauge();
                boolean on = g != null && g.value() > 0;
                long now = System.nanoTime();
                if (on && since < 0) {
                    since = now;
                } else if (!on && since >= 0) {
                    windows.add(new long[] {since, now});
                    since = -1;
                }
            }, 5, 5, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        /** A window still open counts as running until now. */
        boolean ranBetween(long from, long to) {
            long open = since;
            if (open >= 0 && open <= to) {
                return true;
            }
            synchronized (windows) {
                return windows.stream().anyMatch(w -> w[0] <= to && w[1] >= from);
            }
        }

        @Override
        public void close() {
            sampler.shutdownNow();
        }
    }

    /** {@code n} cycles, one every {@code periodMs} (a late one starts at once, as Quartz's fire-and-proceed). */
    private static Phase phase(BenchContext ctx, String name, CycleService service, int n, int periodMs, DeliveryLoad load)
            throws InterruptedException {
        List<Double> hold = new ArrayList<>();
        List<Double> gateWait = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<long[]> windows = new ArrayList<>();
        int forced = 0;
        int inconsistent = 0;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long due = start + (long) i * periodMs * 1_000_000L;
            long sleep = due - System.nanoTime();
            if (sleep > 0) {
                Thread.sleep(sleep / 1_000_000L, (int) (sleep % 1_000_000L));
            }
            long s = System.nanoTime();
            CycleOutcome o = service.snapshot("busy");
            windows.add(new long[] {s, System.nanoTime()});
            if (o instanceof CycleOutcome.Taken t) {
                SetReport r = t.report();
                if (r.holdMicros() > 0) {
                    // Only cycles that had the lock: a set taken crash-consistent (FTWRL not had) holds nothing, and
                    // counted as 0 ms it would pull the hold's median down exactly when the machine is struggling.
                    hold.add(r.holdMicros() / 1000.0);
                }
                gateWait.add(r.gateWaitMicros() / 1000.0);
                forced += r.gateForced() ? 1 : 0;
                inconsistent += r.consistent() ? 0 : 1;
            } else {
                failed.add(o.toString());
            }
            if ((i + 1) % 10 == 0) {
                ctx.log().printf("busy: %s phase, %d of %d cycles%n", name, i + 1, n);
            }
        }
        long end = System.nanoTime();
        settle(ctx, load, end);
        List<Double> delivery = new ArrayList<>();
        List<Double> during = new ArrayList<>();
        List<Double> outside = new ArrayList<>();
        List<DeliveryLoad.Delivery> inPhase = new ArrayList<>();
        for (DeliveryLoad.Delivery d : load.deliveries()) {
            long t = d.scheduledNanos();
            if (t >= start && t <= end) {
                inPhase.add(d);
                delivery.add(d.latencyMicros() / 1000.0);
                // "During a cycle": scheduled inside a cycle's run (snapshot cycle + retention), as in the quiesce benchmark.
                boolean in = windows.stream().anyMatch(w -> t >= w[0] && t <= w[1]);
                (in ? during : outside).add(d.latencyMicros() / 1000.0);
            }
        }
        return new Phase(hold, gateWait, delivery, during, outside, failed, forced, inconsistent, windows, inPhase);
    }
}
