package org.zmsnap.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.fixtures.MariaDbServer;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.fixtures.zimbra.DeliveryLoad;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.Replicator;
import org.zmsnap.replication.SourceEndpoint;
import org.zmsnap.replication.TargetEndpoint;
import org.zmsnap.snapshot.CycleOutcome;

/**
 * Failback of a 10,000-message host: replicated, a few deliveries only on the old host, promoted, N deliveries on the
 * DR host; then {@code zmsnap failback} (salvage, reset, receive) with the bytes it moves against a full send of the
 * same copies (the seed), and the cutover's write pause ({@code failback handback} on the DR host + the final
 * {@code failback} run, JVM starts included) against its named baseline: 1 s plus one plain
 * {@code zfs send -i | zfs receive} of the same final increment, run on a scratch copy in the same benchmark.
 */
public final class FailbackBenchmark implements Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "failback";
    }

    @Override
    public String description() {
        return "failback after a promotion: bytes sent vs a full send, total time, the cutover's write pause:"
                + " --accounts 5 --messages 2000 (per account) --dr-deliveries 1000";
    }

    @Override
    public BenchResult run(BenchContext ctx) throws Exception {
        int accounts = ctx.intArg("--accounts", 5);
        int perAccount = ctx.intArg("--messages", 2000);
        int drDeliveries = ctx.intArg("--dr-deliveries", 1000);
        Path zmsnap = ctx.projectRoot().resolve("bin/zmsnap");
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("messages", accounts * perAccount);
        params.put("drDeliveries", drDeliveries);
        params.put("pools", "zfs-fuse, mailbox and DR pools on this host (host: local target)");
        List<BenchResult.Metric> metrics = new ArrayList<>();
        Path work = Files.createTempDirectory("zmsnap-failback-bench-");
        MariaDbServer drDb = null;
        try (ZfsPool dr = ZfsPool.createEmpty("zfbb", "6G"); SnapshotHost host = new SnapshotHost("6G")) {
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            int mailbox;
            try (var c = host.db.connect()) {
                mailbox = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(accounts, perAccount)).generate(c, store)
                        .accounts().get(0).mailboxId();
            }
            String root = dr.name() + "/mbox1";
            Path mailboxConfig = host.writeConfig(host.yaml("ftwrl", "5s", "skip", "zfs", "")
                    + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 5 }\n"
                    + "targets:\n  drlocal: { type: zfs, host: local, root: " + root + ", keep: { hourly: 5 } }\n");
            Config cfg = ConfigLoader.load(mailboxConfig);
            long seedBytes;
            try (AgentContext agent = new AgentContext(cfg)) {
                if (!(agent.snapshotCycle().run("hourly") instanceof CycleOutcome.Taken)) {
                    throw new IllegalStateException("no set taken");
                }
                ZfsTarget tc = (ZfsTarget) cfg.targets().get("drlocal");
                try (TargetEndpoint ep = TargetEndpoint.open(tc)) {
                    ReplicationOutcome o = new Replicator(SourceEndpoint.thisHost(agent.zfs(), "zfs"), agent.catalog(), cfg.datasets()).replicate(tc, ep, false);
                    if (!(o instanceof ReplicationOutcome.Replicated r)) {
                        throw new IllegalStateException("replication failed: " + o);
                    }
                    seedBytes = r.bytes();
                }
            }
            try (DeliveryLoad load = DeliveryLoad.start(host.db, store, mailbox, 100)) {
                Thread.sleep(2000); // accepted only by the old host: the salvage's work
                load.stop();
            }
            host.db.kill();

            StringBuilder yaml = new StringBuilder("host: drbench\nlock-file: " + work.resolve("dr.lock")
                    + "\nsources:\n  mbox1:\n    datasets: [" + String.join(", ", host.pool.zimbraDatasets()) + "]\n"
                    + "    root: " + root + "\n    keep: { hourly: 5 }\n    mountpoints:\n");
            for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
                yaml.append("      ").append(host.pool.dataset(leaf)).append(": ").append(work.resolve("live").resolve(leaf)).append('\n');
            }
            String d = Files.writeString(work.resolve("dr.yaml"), yaml).toString();
            String m = mailboxConfig.toString();
            cli(zmsnap, "promote", "-c", d, "--source", "mbox1");
            drDb = MariaDbServer.start(work.resolve("live/db/data"), MariaDbServer.Options.zimbraDefaults().existingDatadir(host.db.password()));
            long t = System.nanoTime();
            try (DeliveryLoad load = DeliveryLoad.start(drDb, work.resolve("live/store"), mailbox, 200,
                    DeliveryLoad.Options.defaults().withThreads(2))) {
                while (load.deliveries().size() < drDeliveries && System.nanoTime() - t < Duration.ofMinutes(5).toNanos()) {
                    Thread.sleep(100);
                }
                params.put("drDeliveriesDone", load.stop().size());
            }
            snapshotCopies(dr, root, host.pool, "zmsnap_hourly_" + Instant.now().truncatedTo(ChronoUnit.SECONDS));
            cli(zmsnap, "failback", "grant", "-c", d, "--source", "mbox1");

            // --- the bulk: salvage, reset, receive while the DR host serves
            long t0 = System.nanoTime();
            JsonNode bulk = JSON.readTree(cli(zmsnap, "failback", "-c", m, "--target", "drlocal", "--salvage-dir",
                    work.resolve("salvage").toString(), "--json"));
            long t1 = System.nanoTime();
            long sent = bulk.get("bytes").asLong();
            metrics.add(new BenchResult.Metric("full send of the copies (the seed): baseline", seedBytes / 1e6, "MB", 1));
            metrics.add(new BenchResult.Metric("failback sent (increment since the common set)", sent / 1e6, "MB", 2));
            metrics.add(new BenchResult.Metric("failback bytes / full send", 100.0 * sent / seedBytes, "%", 2));
            metrics.add(new BenchResult.Metric("failback first run (salvage + reset + receive, JVM included)", (t1 - t0) / 1e9, "s", 2));
            metrics.add(new BenchResult.Metric("  salvaged items", bulk.get("salvaged_items").asDouble(), "items", 0));

            // --- more mail on the DR host, then the cutover
            try (DeliveryLoad load = DeliveryLoad.start(drDb, work.resolve("live/store"), mailbox, 100)) {
                Thread.sleep(2000);
                load.stop();
            }
            drDb.close();
            drDb = null;
            // the baseline's increment: the same writes, sent by the plain CLI pipe into a scratch copy
            String scratchSnap = "zmsnap_hourly_" + Instant.now().plusSeconds(1).truncatedTo(ChronoUnit.SECONDS);
            Thread.sleep(1100);
            double plainIncrement = plainIncrement(dr, root + "/zimbra/store", scratchSnap);
            long c0 = System.nanoTime();
            cli(zmsnap, "failback", "handback", "-c", d, "--source", "mbox1");
            long c1 = System.nanoTime();
            JsonNode cut = JSON.readTree(cli(zmsnap, "failback", "-c", m, "--target", "drlocal", "--salvage-dir",
                    work.resolve("salvage").toString(), "--json"));
            long c2 = System.nanoTime();
            if (!cut.get("result").asText().equals("live")) {
                throw new IllegalStateException("the cutover did not go live: " + cut);
            }
            double pause = (c2 - c0) / 1e9;
            metrics.add(new BenchResult.Metric("cutover: failback handback (DR host, JVM included)", (c1 - c0) / 1e9, "s", 2));
            metrics.add(new BenchResult.Metric("cutover: final failback run (JVM included)", (c2 - c1) / 1e9, "s", 2));
            metrics.add(new BenchResult.Metric("cutover write pause (handback + final run)", pause, "s", 2));
            metrics.add(new BenchResult.Metric("baseline: 1 s + plain zfs send -i | zfs receive of the store increment", 1 + plainIncrement, "s", 2));
            metrics.add(new BenchResult.Metric("write pause / baseline", 100 * pause / (1 + plainIncrement), "%", 0));
            cli(zmsnap, "failback", "revoke", "-c", d, "--source", "mbox1");
        } finally {
            if (drDb != null) {
                drDb.close();
            }
            Proc.run(Duration.ofSeconds(60), "rm", "-rf", work.toString());
        }
        return new BenchResult(name(), params, metrics);
    }

    /**
     * The plain CLI doing the cutover's transfer: a snapshot of the live store copy, then {@code zfs send -i} of it from
     * the newest set into a scratch clone-free copy made for the purpose (a full receive of the newest set first,
     * outside the clock). The scratch snapshot is destroyed afterwards so the DR copy's chain is as it was.
     */
    private static double plainIncrement(ZfsPool dr, String copy, String snap) throws Exception {
        List<String> snaps = dr.snapshots().stream().filter(s -> s.startsWith(copy + "@")).toList();
        String newest = snaps.get(snaps.size() - 1);
        String scratch = dr.name() + "/scratch";
        must(dr.zfs("snapshot", copy + "@" + snap));
        pipe(List.of("zfs", "send", newest), List.of("zfs", "receive", "-u", scratch));
        long t = System.nanoTime();
        pipe(List.of("zfs", "send", "-i", newest, copy + "@" + snap), List.of("zfs", "receive", "-u", scratch));
        double s = (System.nanoTime() - t) / 1e9;
        must(dr.zfs("destroy", "-r", scratch));
        must(dr.zfs("destroy", copy + "@" + snap));
        return s;
    }

    /** {@code send | receive} as two processes joined by this JVM: the plain pipe, without a shell. */
    private static void pipe(List<String> send, List<String> receive) throws Exception {
        Process r = new ProcessBuilder(receive).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Process s = new ProcessBuilder(send).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var in = s.getInputStream(); var out = r.getOutputStream()) {
            in.transferTo(out);
        }
        int se = s.waitFor();
        int re = r.waitFor();
        if (se != 0 || re != 0) {
            throw new IllegalStateException(send + " | " + receive + ": exits " + se + ", " + re + ": " + new String(r.getErrorStream().readAllBytes()));
        }
    }

    private static void snapshotCopies(ZfsPool dr, String root, ZfsPool mailbox, String name) {
        for (String ds : mailbox.zimbraDatasets()) {
            must(dr.zfs("snapshot", root + "/" + ds.substring(ds.indexOf('/') + 1) + "@" + name));
        }
    }

    private static String cli(Path zmsnap, String... args) {
        List<String> argv = new ArrayList<>(List.of(zmsnap.toString()));
        argv.addAll(List.of(args));
        Proc.Result r = Proc.run(Duration.ofMinutes(20), argv.toArray(String[]::new));
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.stdout() + r.stderr());
        }
        return r.stdout();
    }

    private static void must(Proc.Result r) {
        if (!r.ok()) {
            throw new IllegalStateException(r.stderr());
        }
    }
}
