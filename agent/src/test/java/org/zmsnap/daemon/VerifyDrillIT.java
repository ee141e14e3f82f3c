package org.zmsnap.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.zimbra.BlobPath;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.GeneratedMessage;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SnapshotProperties;
import org.zmsnap.systemd.SdNotify;

/**
 * zmsnapd's restore drills against real zfs-fuse and mariadbd: the drill runs on its schedule, records its
 * result on the set and in the metrics; a set with a missing blob turns the problems gauge up.
 */
class VerifyDrillIT {
    @Test
    void drillsRunOnScheduleRecordTheResultAndExportMetrics() throws Exception {
        try (SnapshotHost host = new SnapshotHost()) {
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            GeneratedAccount acct;
            try (Connection c = host.db.connect()) {
                acct = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(1, 40)).generate(c, store).accounts().get(0);
            }
            Path workdir = host.dir.resolve("restore");
            // The policy never fires by itself: the test takes the sets, the drill runs every 3 s.
            Config cfg = ConfigLoader.parse(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                    + "metrics:\n  listen: 127.0.0.1:0\npolicies:\n  yearly: { schedule: \"0 0 0 1 1 ?\", keep: 10 }\n"
                    + "restore:\n  workdir: " + workdir + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n"
                    + "verify:\n  schedule: \"*/3 * * * * ?\"\n  sample: 0\n  full-every: 7d\n", host.dir.resolve("zmsnap.yaml"));
            String first = snapshot(cfg);
            try (Daemon d = Daemon.start(cfg, SdNotify.fromEnvironment())) {
                int port = d.metricsPort();
                DaemonIT.await(Duration.ofSeconds(60), () -> metric(port, "zmsnap_verify_runs_total", "result=\"ok\"") >= 1, "a drill");
                Map<String, Double> m = DaemonIT.parse(new DaemonIT().get(port, "/metrics").body());
                long items = acct.messages().size() + acct.documentIds().size();
                assertTrue(DaemonIT.sum(m, "zmsnap_verify_items_checked_total") >= items, m.toString());
                assertTrue(DaemonIT.sum(m, "zmsnap_verify_last_success_timestamp_seconds") > 1.7e9, m.toString());
                assertEquals(0.0, DaemonIT.sum(m, "zmsnap_verify_problems"), m.toString());
                assertTrue(DaemonIT.sum(m, "zmsnap_verify_duration_seconds_count") >= 1, m.toString());
                assertTrue(m.keySet().stream().anyMatch(k -> k.startsWith("zmsnap_verify_problems{") && k.contains("kind=\"missing-blob\"")),
                        "every kind is exported, at 0: " + m.keySet());
                assertTrue(verified(cfg, first).endsWith(" ok full"), "the first drill of the chain is full: " + verified(cfg, first));

                // A blob lost before the next set: the next drill (incremental: the full one is recent) finds it
                // by its size check, whatever the sample.
                GeneratedMessage lost = acct.messages().get(5);
                Files.delete(BlobPath.defaults(store).of(acct.mailboxId(), lost.id(), lost.modContent()));
                String second = snapshot(cfg);
                DaemonIT.await(Duration.ofSeconds(60), () -> metric(port, "zmsnap_verify_problems", "kind=\"missing-blob\"") == 1,
                        "the drill finds the missing blob");
                assertTrue(metric(port, "zmsnap_verify_runs_total", "result=\"problems\"") >= 1);
                assertTrue(verified(cfg, second).endsWith(" failed incremental"), verified(cfg, second));
                assertEquals(0.0, metric(port, "zmsnap_verify_problems", "kind=\"digest-mismatch\""));
            }
            try (var s = Files.list(workdir)) {
                assertEquals(0, s.count(), "no restore session left");
            }
            String datasets = host.pool.zfs("list", "-H", "-o", "name", "-r", host.pool.name()).stdout();
            assertTrue(!datasets.contains("zmsnap-restore-"), datasets);
        }
    }

    private static String snapshot(Config cfg) throws InterruptedException {
        Thread.sleep(1100); // tags are per second
        try (AgentContext ctx = new AgentContext(cfg)) {
            return ((CycleOutcome.Taken) ctx.snapshotCycle().run("yearly")).report().tag().name();
        }
    }

    private static String verified(Config cfg, String tag) {
        try (AgentContext ctx = new AgentContext(cfg)) {
            return ctx.catalog().sets().stream().filter(s -> s.tag().name().equals(tag)).findFirst().orElseThrow()
                    .property(SnapshotProperties.VERIFIED).orElse("");
        }
    }

    private static double metric(int port, String name, String label) {
        try {
            return DaemonIT.sum(DaemonIT.parse(new DaemonIT().get(port, "/metrics").body()), name, label);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
