package org.zmsnap.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.drhost.SourceJobs;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.SshHost;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.metrics.Health;
import org.zmsnap.metrics.Metrics;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.ReplicationRunner;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SetReport;
import org.zmsnap.zfs.ZfsWorkGate;

/**
 * The ZFS work gate against real zfs-fuse and mariadbd, with the daemon's own parts (one {@link AgentContext}, the
 * {@link CycleService} and a {@link ReplicationRunner} to a second pool on this host on another thread) and a zfs wrapper
 * that hangs on purpose: {@code zfs hold} (a replication step) or {@code zfs snapshot} (the cycle) wait while a file
 * exists, and with {@code slow} present hold, release, destroy and receive each take 300 ms longer. Every call is logged
 * to {@code zfs.log}. A DR host's pull (over a real sshd, from this host's own pool as the "mailbox host") goes through
 * the same {@link AgentContext}'s {@code SourceJobs}, as a promoted DR host that also takes sets of its own would.
 */
class ZfsWorkGateIT {
    static final Duration BUDGET = Duration.ofSeconds(2);

    SnapshotHost host;
    ZfsPool dr;
    Path wrapper;

    @BeforeEach
    void start() throws Exception {
        host = new SnapshotHost();
        dr = ZfsPool.createEmpty("zgate", "2G");
        wrapper = host.dir.resolve("zfs-on-purpose");
        String d = host.dir.toString();
        Files.writeString(wrapper, "#!/bin/bash\n"
                + "d='" + d + "'\n"
                + "echo \"$*\" >> \"$d/zfs.log\"\n"
                + "for step in hold snapshot; do\n"
                + "  if [ \"$1\" = $step ] && [ -e \"$d/hang-$step\" ]; then\n"
                + "    : > \"$d/$step-hanging\"\n"
                + "    while [ -e \"$d/hang-$step\" ]; do sleep 0.05; done\n"
                + "  fi\n"
                + "done\n"
                + "case \"$1\" in hold|release|destroy|receive) [ -e \"$d/slow\" ] && sleep 0.3;; esac\n"
                + "exec zfs \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void stop() throws Exception {
        for (String f : List.of("hang-hold", "hang-snapshot", "slow")) {
            Files.deleteIfExists(host.dir.resolve(f));
        }
        try {
            dr.close();
        } finally {
            host.close();
        }
    }

    Config config(String zfsTimeout) {
        return ConfigLoader.parse(yaml(zfsTimeout, BUDGET), host.dir.resolve("zmsnap.yaml"));
    }

    String yaml(String zfsTimeout, Duration budget) {
        return host.yaml("ftwrl", budget.toSeconds() + "s", "crash-consistent", wrapper.toString(), "")
                .replace("timeout: 30s", "timeout: " + zfsTimeout)
                + "policies:\n  often: { schedule: \"0/5 * * * * ?\", keep: 50 }\n"
                + "targets:\n  dr1:\n    type: zfs\n    host: local\n    root: " + dr.name() + "/mbox1\n"
                + "    zfs-command: " + wrapper + "\n"
                + "    keep: { often: 50 }\n    stall-timeout: 20s\n";
    }

    record Daemonish(AgentContext ctx, Metrics metrics, CycleService cycles, ReplicationRunner replication) implements AutoCloseable {
        static Daemonish of(Config cfg) {
            AgentContext ctx = new AgentContext(cfg);
            Map<String, Duration> periods = Map.of("often", Duration.ofSeconds(5));
            Metrics metrics = new Metrics(cfg.host(), cfg.mariadb().lockBudget(), periods);
            ctx.gate().listen(metrics::gateWork);
            CycleService cycles = new CycleService(ctx, metrics, new Health(periods, Clock.systemUTC()), Clock.systemUTC(), p -> { });
            return new Daemonish(ctx, metrics, cycles, new ReplicationRunner(cfg, ctx.zfs(), ctx.catalog()));
        }

        SetReport snapshot() {
            CycleOutcome o = cycles.snapshot("often");
            return assertInstanceOf(CycleOutcome.Taken.class, o, o.toString()).report();
        }

        CompletableFuture<ReplicationOutcome> replicateAsync() {
            return CompletableFuture.supplyAsync(() -> replication.run(ctx.config().targets().get("dr1"), false));
        }

        @Override
        public void close() {
            metrics.close();
            ctx.close();
        }
    }

    void writeMail(int kib) throws Exception {
        byte[] data = new byte[kib * 1024];
        new Random(kib).nextBytes(data);
        Files.write(host.pool.mountpoint(host.pool.dataset("store")).resolve("blob-" + System.nanoTime()), data);
    }

    void touch(String name) throws Exception {
        Files.writeString(host.dir.resolve(name), "");
    }

    void awaitFile(String name, Duration max) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        while (!Files.exists(host.dir.resolve(name))) {
            assertTrue(System.nanoTime() < end, name + " did not appear within " + max);
            Thread.sleep(20);
        }
    }

    @Test
    void aHungReplicationStepCannotHoldACycleBeyondTheLockBudgetTheCycleSnapshotsAndSaysTheGateWasForced() throws Exception {
        try (Daemonish d = Daemonish.of(config("60s"))) {
            writeMail(256);
            d.snapshot();
            touch("hang-hold");
            CompletableFuture<ReplicationOutcome> replication = d.replicateAsync();
            awaitFile("hold-hanging", Duration.ofSeconds(30)); // the replication's 'zfs hold' is running and hangs

            long t0 = System.nanoTime();
            SetReport r = d.snapshot();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertTrue(r.gateForced(), "the gate was forced: " + r);
            assertTrue(r.consistent(), r.note());
            assertTrue(r.gateWaitMicros() >= BUDGET.toNanos() / 1000 * 9 / 10 && r.gateWaitMicros() < BUDGET.toNanos() / 1000 + 1_000_000,
                    "waited about the lock budget for the hung step: " + r.gateWaitMicros() + " µs");
            assertTrue(took.compareTo(BUDGET.plusSeconds(8)) < 0, "the cycle was not held beyond the budget: " + took);
            assertTrue(r.holdMicros() < BUDGET.toNanos() / 1000, "hold " + r.holdMicros() + " µs");
            assertFalse(replication.isDone(), "the hung step is still running: the cycle did not kill it");
            String scrape = d.metrics().scrape();
            assertTrue(scrape.contains("zmsnap_gate_forced_total{host=\"testhost\"} 1.0"), scrape);

            // The step resumes: the replication was not failed by the cycle that went ahead of it.
            Files.delete(host.dir.resolve("hang-hold"));
            ReplicationOutcome o = replication.get(120, TimeUnit.SECONDS);
            assertInstanceOf(ReplicationOutcome.Replicated.class, o, o.toString());
            assertFalse(dr.snapshots().isEmpty());
        }
    }

    @Test
    void aHungCycleDoesNotFailReplicationWhichWaitsForItAndThenGoesAhead() throws Exception {
        // zfs.timeout bounds a snapshot that outlives the lock (writers are let go at the budget): a hung one is killed then.
        try (Daemonish d = Daemonish.of(config("10s"))) {
            writeMail(256);
            d.snapshot();
            List<Duration> waits = new CopyOnWriteArrayList<>();
            d.ctx().gate().listen(w -> {
                waits.add(w);
                d.metrics().gateWork(w);
            });
            touch("hang-snapshot");
            CompletableFuture<CycleOutcome> cycle = CompletableFuture.supplyAsync(() -> d.cycles().snapshot("often"));
            awaitFile("snapshot-hanging", Duration.ofSeconds(30)); // under the lock, 'zfs snapshot' hangs
            assertTrue(d.ctx().gate().closed());

            ReplicationOutcome o = d.replicateAsync().get(120, TimeUnit.SECONDS);
            assertInstanceOf(ReplicationOutcome.Replicated.class, o, o.toString());
            assertFalse(waits.isEmpty(), "the replication waited at the gate");
            // The hung snapshot is killed at zfs.timeout: that cycle fails, on its own account, and leaves nothing.
            CycleOutcome c = cycle.get(60, TimeUnit.SECONDS);
            assertInstanceOf(CycleOutcome.Failed.class, c, c.toString());
            assertFalse(d.ctx().gate().closed());
            assertTrue(d.metrics().scrape().contains("zmsnap_gate_wait_seconds_count{host=\"testhost\",side=\"work\"}"));
        }
    }

    @Test
    void aCycleThatNeverReopensTheGateBlocksReplicationNoLongerThanMaxClosed() throws Exception {
        try (Daemonish d = Daemonish.of(config("3s"))) {
            writeMail(64);
            d.snapshot();
            ZfsWorkGate gate = d.ctx().gate();
            // A cycle stuck beyond every bound of its own (say a JVM thread wedged under the lock): it closed the gate
            // and never reopens it.
            // Its own thread: the gate lets the thread that closed it through, and a pooled one could run the replication.
            Thread wedged = new Thread(() -> gate.close("a wedged cycle"), "wedged-cycle");
            wedged.start();
            wedged.join(10_000);
            assertTrue(gate.closed());
            long t0 = System.nanoTime();
            ReplicationOutcome o = d.replicateAsync().get(120, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertInstanceOf(ReplicationOutcome.Replicated.class, o, o.toString());
            assertTrue(took.compareTo(gate.maxClosed().minusSeconds(1)) > 0 && took.compareTo(gate.maxClosed().plusSeconds(30)) < 0,
                    "went ahead once max-closed (" + gate.maxClosed() + ") had passed: " + took);
            assertFalse(gate.closed());
        }
    }

    @Test
    void cyclesAndReplicationRunningTogetherNeitherFails() throws Exception {
        try (Daemonish d = Daemonish.of(config("60s"))) {
            writeMail(1024);
            SetReport idle = d.snapshot();
            touch("slow"); // every hold, release, destroy and receive takes 300 ms longer: steps are in flight at each cycle
            AtomicBoolean done = new AtomicBoolean();
            List<ReplicationOutcome> replications = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> replicating = CompletableFuture.runAsync(() -> {
                while (!done.get()) {
                    replications.add(d.replication().run(d.ctx().config().targets().get("dr1"), false));
                }
            });
            List<SetReport> reports = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                writeMail(4096);
                reports.add(d.snapshot());
                Thread.sleep(700);
            }
            done.set(true);
            replicating.get(180, TimeUnit.SECONDS);
            for (SetReport r : reports) {
                assertTrue(r.consistent(), r.note());
                assertFalse(r.gateForced(), "steps of 300 ms end well within the budget: " + r);
            }
            assertTrue(replications.size() >= 2, "replications ran: " + replications);
            for (ReplicationOutcome o : replications) {
                assertInstanceOf(ReplicationOutcome.Replicated.class, o, o.toString());
            }
            assertTrue(reports.stream().anyMatch(r -> r.gateWaitMicros() > 0), "some cycle met a step in flight: " + reports);
            System.err.printf("gate IT: idle hold %.1f ms; under replication: hold ms %s, gate wait ms %s; %d replications%n",
                    idle.holdMicros() / 1000.0,
                    reports.stream().map(r -> String.format("%.1f", r.holdMicros() / 1000.0)).toList(),
                    reports.stream().map(r -> String.format("%.0f", r.gateWaitMicros() / 1000.0)).toList(), replications.size());
        }
    }
    /**
     * Issue #11: a pull's receive here waits at this host's gate like a push to {@code host: local}. The pull lists and
     * creates its copies' parents with the gate open, then its steps hang at their hold on the mailbox host; a cycle
     * closes the gate and hangs at its snapshot under the lock; the holds are let go, and the steps wait at the gate
     * instead of starting 'zfs receive' under the lock. The cycle ends, and only then do the receives start. Neither fails.
     */
    @Test
    void aPullsReceiveHereWaitsForACycleThatHoldsTheGateAndNeitherFails() throws Exception {
        Duration budget = Duration.ofSeconds(15); // room for the sequencing below; the cycle needs a fraction of it
        try (SshHost mailbox = SshHost.start(host.dir)) {
            String datasets = String.join(", ", host.pool.zimbraDatasets());
            String yaml = yaml("60s", budget) + "sources:\n  mbox1:\n    datasets: [" + datasets + "]\n"
                    + "    root: " + dr.name() + "/pulled\n    keep: { often: 50 }\n"
                    + "    pull:\n      host: 127.0.0.1\n      port: " + mailbox.port() + "\n      user: root\n"
                    + "      identity: " + mailbox.clientKey() + "\n      known-hosts: " + mailbox.knownHosts() + "\n"
                    + "      stall-timeout: 20s\n      command-timeout: 60s\n      zfs-command: " + wrapper + "\n";
            Config cfg = ConfigLoader.parse(yaml, host.dir.resolve("zmsnap.yaml"));
            try (Daemonish d = Daemonish.of(cfg)) {
                writeMail(256);
                d.snapshot();
                List<Duration> waits = new CopyOnWriteArrayList<>();
                d.ctx().gate().listen(waits::add);
                SourceJobs jobs = new SourceJobs(cfg, d.ctx().zfs());

                touch("hang-hold");
                CompletableFuture<ReplicationOutcome> pull = CompletableFuture.supplyAsync(() -> jobs.pull(cfg.source("mbox1")));
                awaitFile("hold-hanging", Duration.ofSeconds(60)); // a step's hold on the mailbox host: nothing received yet
                touch("hang-snapshot");
                CompletableFuture<CycleOutcome> cycle = CompletableFuture.supplyAsync(() -> d.cycles().snapshot("often"));
                awaitFile("snapshot-hanging", Duration.ofSeconds(30)); // under the lock, the gate closed
                assertTrue(d.ctx().gate().closed());

                Files.delete(host.dir.resolve("hang-hold"));
                awaitStreamWaitingAtTheGate(Duration.ofSeconds(30)); // not started: waiting at this host's gate
                Thread.sleep(300);
                assertFalse(pull.isDone(), "the pull waits for the cycle");
                assertFalse(cycle.isDone(), "the cycle is still under its lock");
                assertEquals(List.of(), receives(), "no zfs receive started under the lock");

                Files.delete(host.dir.resolve("hang-snapshot"));
                SetReport r = assertInstanceOf(CycleOutcome.Taken.class, cycle.get(60, TimeUnit.SECONDS)).report();
                assertTrue(r.consistent(), r.note());
                assertFalse(r.gateForced(), "nothing of the pull's was in flight here: " + r);
                ReplicationOutcome o = pull.get(120, TimeUnit.SECONDS);
                assertInstanceOf(ReplicationOutcome.Replicated.class, o, o.toString());
                assertFalse(receives().isEmpty(), "the receives ran after the cycle");
                assertFalse(waits.isEmpty(), "the pull's wait was reported to the daemon's metrics");
                assertTrue(dr.snapshots().stream().anyMatch(x -> x.startsWith(dr.name() + "/pulled/")), dr.snapshots().toString());
            }
        }
    }

    List<String> receives() throws Exception {
        return Files.readAllLines(host.dir.resolve("zfs.log")).stream().filter(l -> l.startsWith("receive")).toList();
    }

    /** Some replication stream's start is waiting at the gate: seen in its thread's stack, the one place that shows it. */
    void awaitStreamWaitingAtTheGate(Duration max) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        while (Thread.getAllStackTraces().values().stream().noneMatch(ZfsWorkGateIT::waitingToStartAStream)) {
            assertEquals(List.of(), receives(), "a zfs receive started under the lock instead of waiting at the gate");
            assertTrue(System.nanoTime() < end, "no stream waited at the gate within " + max);
            Thread.sleep(20);
        }
    }

    static boolean waitingToStartAStream(StackTraceElement[] stack) {
        List<String> frames = java.util.Arrays.stream(stack).map(f -> f.getClassName() + "." + f.getMethodName()).toList();
        return frames.contains(ZfsWorkGate.class.getName() + ".waitWhileClosed")
                && frames.stream().anyMatch(f -> f.endsWith("StepExecutor.transfer"));
    }
}
