package org.zmsnap.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.systemd.NotifySocket;
import org.zmsnap.systemd.SdNotify;

/** zmsnapd against real zfs-fuse and mariadbd: schedules, retention, metrics, health, sd_notify, catch-up. */
class DaemonIT {
    SnapshotHost host;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        host = new SnapshotHost();
    }

    @AfterEach
    void stop() {
        host.close();
    }

    Config config(String policies) {
        return ConfigLoader.parse(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                + "metrics:\n  listen: 127.0.0.1:0\npolicies:\n" + policies, host.dir.resolve("zmsnap.yaml"));
    }

    List<SnapshotSet> sets(Config cfg, String policy) {
        try (AgentContext ctx = new AgentContext(cfg)) {
            return ctx.catalog().sets().stream().filter(s -> s.tag().policy().equals(policy)).toList();
        }
    }

    HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void await(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(200);
        }
    }

    /** Prometheus text → sample name with labels → value; fails on any line that does not parse. */
    static Map<String, Double> parse(String exposition) {
        Map<String, Double> out = new TreeMap<>();
        for (String line : exposition.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return out;
    }

    static double sum(Map<String, Double> samples, String prefix, String... labels) {
        return samples.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix + "{") || e.getKey().equals(prefix))
                .filter(e -> java.util.Arrays.stream(labels).allMatch(l -> e.getKey().contains(l)))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    @Test
    void schedulesPrunesExportsMetricsAndReportsHealth() throws Exception {
        Config cfg = config("  fast: { schedule: \"*/2 * * * * ?\", keep: 3 }\n");
        try (NotifySocket notify = new NotifySocket(host.dir.resolve("notify.sock"));
             Daemon d = Daemon.start(cfg, SdNotify.to(notify.path().toString()))) {
            assertTrue(notify.await("READY=1", Duration.ofSeconds(10)), notify.messages().toString());
            int port = d.metricsPort();

            await(Duration.ofSeconds(40), () -> counter(port, "consistent") >= 5, "five cycles");
            // Between a cycle's snapshot and its prune there are keep+1 sets; after the prune exactly keep.
            assertTrue(sets(cfg, "fast").size() <= 4);
            await(Duration.ofSeconds(10), () -> sets(cfg, "fast").size() == 3, "retention keeps exactly keep");

            Map<String, Double> m = parse(get(port, "/metrics").body());
            assertTrue(sum(m, "zmsnap_snapshot_total", "policy=\"fast\"", "result=\"consistent\"") >= 5, m.toString());
            assertTrue(sum(m, "zmsnap_retention_destroyed_total") >= 2);
            assertTrue(sum(m, "zmsnap_lock_hold_seconds_count") >= 5);
            assertEquals(3.0, sum(m, "zmsnap_snapshots_kept", "policy=\"fast\""));
            assertTrue(sum(m, "zmsnap_snapshot_last_success_timestamp_seconds", "policy=\"fast\"") > 1.7e9);
            assertTrue(sum(m, "jvm_memory_used_bytes") > 0, "JVM metrics");
            assertTrue(sum(m, "process_cpu_usage") >= 0 && m.keySet().stream().anyMatch(k -> k.startsWith("process_uptime_seconds")));
            assertEquals(200, get(port, "/healthz").statusCode());

            host.db.stop();
            await(Duration.ofSeconds(30), () -> status(port) == 503, "healthz 503 while MariaDB is down");
            String why = get(port, "/healthz").body();
            assertTrue(why.contains("fast") && why.contains("MariaDB"), why);
            assertTrue(counter(port, "failed") >= 1);

            host.db.restart();
            await(Duration.ofSeconds(30), () -> status(port) == 200, "healthz back to 200");
        }
        // close() sends STOPPING=1 and leaves no partial set
        assertTrue(sets(cfg, "fast").stream().allMatch(SnapshotSet::complete));
    }

    @Test
    void replicatesAfterChosenPoliciesAndExportsTheLag() throws Exception {
        try (org.zmsnap.fixtures.ZfsPool dr = org.zmsnap.fixtures.ZfsPool.createEmpty("zdd", "2G")) {
            Config cfg = config("  fast: { schedule: \"*/3 * * * * ?\", keep: 3 }\n"
                    + "targets:\n  dr1:\n    host: local\n    root: " + dr.name() + "/mbox1\n    after-snapshot: [fast]\n"
                    + "    keep: { fast: 2 }\n");
            try (NotifySocket notify = new NotifySocket(host.dir.resolve("nr.sock"));
                 Daemon d = Daemon.start(cfg, SdNotify.to(notify.path().toString()))) {
                int port = d.metricsPort();
                await(Duration.ofSeconds(40), () -> replicated(port) >= 2, "two replications after snapshots");
                Map<String, Double> m = parse(get(port, "/metrics").body());
                double lag = sum(m, "zmsnap_replication_lag_seconds", "target=\"dr1\"");
                assertTrue(lag >= 0 && lag < 60, "lag " + lag);
                assertTrue(sum(m, "zmsnap_replication_bytes_total", "target=\"dr1\"") > 0);
                assertTrue(sum(m, "zmsnap_replication_last_success_timestamp_seconds", "target=\"dr1\"") > 1.7e9);
                assertTrue(dr.snapshots().stream().anyMatch(x -> x.contains("/mbox1/zimbra/db@zmsnap_fast_")), dr.snapshots().toString());
                // Every mailbox-host metric the Grafana dashboard queries is in this real scrape (the DR host's and the
                // drills' are checked by VerifyDrCopyIT).
                org.zmsnap.fixtures.GrafanaDashboard dashboard = org.zmsnap.fixtures.GrafanaDashboard.ofSourceTree();
                java.util.Set<String> missing = dashboard.missingFrom(get(port, "/metrics").body(),
                        n -> !org.zmsnap.fixtures.GrafanaDashboard.drHostOrDrill(n));
                assertEquals(java.util.Set.of(), missing, "docs/grafana-dashboard.json queries: " + dashboard.explain(missing));
            }
        }
    }

    private double replicated(int port) {
        try {
            return sum(parse(get(port, "/metrics").body()), "zmsnap_replication_total", "result=\"replicated\"");
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void aMetricsPortInUseIsAClearStartErrorAndInvalidConfigExitsTwo() throws Exception {
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Config cfg = ConfigLoader.parse(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                    + "metrics:\n  listen: 127.0.0.1:" + busy.getLocalPort() + "\npolicies:\n  fast: { schedule: \"*/2 * * * * ?\", keep: 3 }\n",
                    host.dir.resolve("zmsnap.yaml"));
            Daemon.StartException e = org.junit.jupiter.api.Assertions.assertThrows(Daemon.StartException.class,
                    () -> Daemon.start(cfg, SdNotify.to(host.dir.resolve("none.sock").toString())));
            assertEquals(2, e.exitCode());
            assertTrue(e.getMessage().contains(Integer.toString(busy.getLocalPort())) && e.getMessage().contains("in use"), e.getMessage());
        }
        var bad = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                + "policies:\n  fast: { schedule: \"every minute\", keep: 3 }\n");
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Zmsnapd.class.getName(), "--config", bad.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("policies.fast.schedule") && out.contains("every minute"), out);
        assertTrue(host.snapshots().isEmpty(), "nothing was scheduled or taken");
    }

    @Test
    void catchesUpALatePolicyAtStartOnlyOnce() throws Exception {
        Config cfg = config("  daily: { schedule: \"0 30 2 * * ?\", keep: 30 }\n");
        try (NotifySocket notify = new NotifySocket(host.dir.resolve("n1.sock"));
             Daemon d = Daemon.start(cfg, SdNotify.to(notify.path().toString()))) {
            await(Duration.ofSeconds(20), () -> sets(cfg, "daily").size() == 1, "catch-up set at start");
            assertTrue(notify.await("catching up [daily]", Duration.ofSeconds(1)), notify.messages().toString());
        }
        try (NotifySocket notify = new NotifySocket(host.dir.resolve("n2.sock"));
             Daemon d = Daemon.start(cfg, SdNotify.to(notify.path().toString()))) {
            assertTrue(notify.await("READY=1", Duration.ofSeconds(10)));
            Thread.sleep(2000);
            assertEquals(1, sets(cfg, "daily").size(), "a set within the period: no second catch-up");
        }
    }

    @Test
    void sigtermMidCycleLeavesNoPartialSetAndNoLock() throws Exception {
        // zfs.timeout bounds the cycle: its snapshot may outlive the lock budget (writers are let go at it) up to there.
        String yaml = host.yaml("ftwrl", "3s", "crash-consistent", host.hangingZfs().toString(), "", "  timeout: 5s\n")
                + "metrics:\n  enabled: false\npolicies:\n  fast: { schedule: \"*/2 * * * * ?\", keep: 3 }\n";
        var cfgFile = host.writeConfig(yaml);
        List<String> before = host.snapshots();
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Zmsnapd.class.getName(), "--config", cfgFile.toString())
                .redirectErrorStream(true).redirectOutput(host.dir.resolve("zmsnapd.log").toFile()).start();
        try {
            await(Duration.ofSeconds(30), () -> p.descendants().anyMatch(h -> h.info().commandLine().orElse("").contains("sleep 30")),
                    "a cycle holding the lock on a hung zfs");
            long t = System.nanoTime();
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "exits within the unit's stop timeout");
            long ms = (System.nanoTime() - t) / 1_000_000;
            assertTrue(ms < 10_000, "stopped after " + ms + " ms");
            assertEquals(before, host.snapshots(), "no partial set: " + java.nio.file.Files.readString(host.dir.resolve("zmsnapd.log")));
            long w = System.nanoTime();
            host.sql("CREATE DATABASE IF NOT EXISTS probe");
            assertTrue((System.nanoTime() - w) / 1_000_000 < 500, "no lock left behind");
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private int status(int port) {
        try {
            return get(port, "/healthz").statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private double counter(int port, String result) {
        try {
            return sum(parse(get(port, "/metrics").body()), "zmsnap_snapshot_total", "result=\"" + result + "\"");
        } catch (Exception e) {
            return -1;
        }
    }
}
