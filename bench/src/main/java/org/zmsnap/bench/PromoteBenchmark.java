package org.zmsnap.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.fixtures.FreePort;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.Replicator;
import org.zmsnap.replication.SourceEndpoint;
import org.zmsnap.replication.TargetEndpoint;
import org.zmsnap.snapshot.CycleOutcome;

/**
 * The storage part of the RTO: a set of a 10,000-message host with extra data in the store is replicated to a DR
 * pool; the mailbox host is lost (mariadbd SIGKILLed, its pool exported); then the clock runs from starting
 * {@code bin/zmsnap promote} (JVM included) until a mariadbd started on the promoted db copy answers a connection
 * with its handshake.
 */
public final class PromoteBenchmark implements Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "promote";
    }

    @Override
    public String description() {
        return "DR failover: zmsnap promote until mariadbd accepts connections on the promoted copy:"
                + " --accounts 5 --messages 2000 (per account) --store-gb 1";
    }

    @Override
    public BenchResult run(BenchContext ctx) throws Exception {
        int accounts = ctx.intArg("--accounts", 5);
        int perAccount = ctx.intArg("--messages", 2000);
        double storeGb = ctx.doubleArg("--store-gb", 1);
        Path zmsnap = ctx.projectRoot().resolve("bin/zmsnap");
        if (!Files.isRegularFile(ctx.projectRoot().resolve("cli/target/zmsnap-cli.jar"))) {
            throw new IllegalStateException("cli/target/zmsnap-cli.jar is not built: ./mvnw -B -DskipTests package");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("messages", accounts * perAccount);
        params.put("extraStoreGB", storeGb);
        params.put("pools", "zfs-fuse, mailbox and DR pools on this host (host: local target)");
        List<BenchResult.Metric> metrics = new ArrayList<>();
        String size = (int) Math.ceil(storeGb * 2 + 6) + "G";
        Process mariadbd = null;
        Path work = Files.createTempDirectory("zmsnap-promote-bench-");
        // Short: unix socket paths are limited to 107 bytes.
        Path run = Files.createTempDirectory(Path.of("/tmp"), "zmpb");
        try (ZfsPool dr = ZfsPool.createEmpty("zdr", size); SnapshotHost host = new SnapshotHost(size)) {
            try {
                Path store = host.pool.mountpoint(host.pool.dataset("store"));
                long t = System.nanoTime();
                try (var c = host.db.connect()) {
                    new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(accounts, perAccount)).generate(c, store);
                }
                Filler.write(store.resolve("filler"), (long) (storeGb * 1e9), 256L << 20, 3);
                ctx.log().printf("promote: %d messages and %.1f GB filler in %.1f s%n", accounts * perAccount, storeGb,
                        (System.nanoTime() - t) / 1e9);
                String root = dr.name() + "/mbox1";
                Config cfg = ConfigLoader.load(host.writeConfig(host.yaml("ftwrl", "5s", "skip", "zfs", "")
                        + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 5 }\n"
                        + "targets:\n  drlocal: { type: zfs, host: local, root: " + root + ", keep: { hourly: 5 } }\n"));
                t = System.nanoTime();
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
                        metrics.add(new BenchResult.Metric("replicated (full seed)", r.bytes() / 1e9, "GB", 2));
                    }
                }
                ctx.log().printf("promote: set taken and replicated in %.1f s%n", (System.nanoTime() - t) / 1e9);
                host.db.kill();
                export(host.pool.name());

                StringBuilder yaml = new StringBuilder("host: drbench\nlock-file: " + work.resolve("dr.lock")
                        + "\nsources:\n  mbox1:\n    datasets: [" + String.join(", ", host.pool.zimbraDatasets()) + "]\n"
                        + "    root: " + root + "\n    keep: { hourly: 5 }\n    mountpoints:\n");
                for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
                    yaml.append("      ").append(host.pool.dataset(leaf)).append(": ").append(work.resolve("live").resolve(leaf)).append('\n');
                }
                Path drConfig = Files.writeString(work.resolve("dr.yaml"), yaml);

                // --- the clock: promote, then mariadbd until it greets a client
                long t0 = System.nanoTime();
                Proc.Result r = Proc.run(Duration.ofMinutes(5), zmsnap.toString(), "promote", "-c", drConfig.toString(),
                        "--source", "mbox1", "--json");
                long t1 = System.nanoTime();
                if (r.exitCode() != 0) {
                    throw new IllegalStateException("zmsnap promote exited " + r.exitCode() + ":\n" + r.stdout() + r.stderr());
                }
                JsonNode j = JSON.readTree(r.stdout());
                int port = FreePort.find();
                mariadbd = new ProcessBuilder("/usr/sbin/mariadbd", "--no-defaults", "--user=root",
                        "--datadir=" + work.resolve("live/db/data"), "--socket=" + run.resolve("mysql.sock"), "--port=" + port,
                        "--bind-address=127.0.0.1", "--pid-file=" + run.resolve("mariadbd.pid"), "--tmpdir=" + run,
                        "--log-error=" + run.resolve("error.log"), "--innodb-flush-log-at-trx-commit=0",
                        "--innodb-buffer-pool-size=128M", "--innodb-log-file-size=64M").redirectErrorStream(true)
                        .redirectOutput(run.resolve("stdout.log").toFile()).start();
                awaitHandshake(port, mariadbd, Duration.ofMinutes(2));
                long t2 = System.nanoTime();
                ctx.log().printf("promote: %s; mariadbd greeted after %.2f s%n", j.get("mode").asText(), (t2 - t1) / 1e9);
                metrics.add(new BenchResult.Metric("zmsnap promote (command, JVM start included)", (t1 - t0) / 1e9, "s", 2));
                metrics.add(new BenchResult.Metric("  of which: reading the copies and deciding", j.get("survey_ms").asDouble() / 1000, "s", 2));
                metrics.add(new BenchResult.Metric("  of which: the steps", (j.get("total_ms").asDouble() - j.get("survey_ms").asDouble()) / 1000, "s", 2));
                metrics.add(new BenchResult.Metric("mariadbd start to first handshake (crash recovery)", (t2 - t1) / 1e9, "s", 2));
                metrics.add(new BenchResult.Metric("promote to mariadbd accepting connections", (t2 - t0) / 1e9, "s", 2));
                for (JsonNode s : j.get("steps")) {
                    ctx.log().printf("  %8.1f ms  %s%n", s.get("ms").asDouble(), s.get("step").asText());
                }
            } finally {
                if (mariadbd != null) {
                    mariadbd.destroy();
                    if (!mariadbd.waitFor(60, TimeUnit.SECONDS)) {
                        mariadbd.destroyForcibly().waitFor();
                    }
                }
            }
        } finally {
            Proc.run(Duration.ofSeconds(60), "rm", "-rf", work.toString(), run.toString());
        }
        return new BenchResult(name(), params, metrics);
    }

    /** A MariaDB server greets a new connection with its handshake packet: the first byte read means it accepts. */
    private static void awaitHandshake(int port, Process server, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("mariadbd exited " + server.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                s.setSoTimeout(2000);
                InputStream in = s.getInputStream();
                if (in.read() >= 0) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("mariadbd did not accept connections within " + timeout);
    }

    private static void export(String pool) throws InterruptedException {
        for (int i = 0; i < 40; i++) {
            if (Proc.run(Duration.ofSeconds(60), "zpool", "export", pool).ok()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("cannot export " + pool);
    }
}
