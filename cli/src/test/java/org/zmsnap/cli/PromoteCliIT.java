package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.fixtures.MariaDbServer;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.ZimbraZfsHost;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.fixtures.zimbra.ConsistencyReport;
import org.zmsnap.fixtures.zimbra.DeliveryLoad;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.MailboxConsistencyCheck;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.metrics.Metrics;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.Replicator;
import org.zmsnap.replication.SourceEndpoint;
import org.zmsnap.replication.TargetEndpoint;
import org.zmsnap.schedule.SourceService;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.HostLock;

/**
 * DR failover end to end, on real zfs-fuse pools and real mariadbd: sets are taken and replicated (into two roots,
 * two "sources" on the DR side) while mail is delivered; then the disaster — mariadbd SIGKILLed, the mailbox host's
 * pool exported. On the DR side every bad input is refused with nothing changed, then {@code zmsnap promote} makes
 * the newest replicated set live in place, mariadbd starts on it, every delivery acknowledged before that set's cycle
 * is there and rows and blobs agree, and all received sets are still on the copies. The second source is promoted to
 * an older set, which goes live as clones and keeps the newer sets.
 */
class PromoteCliIT {
    static final ObjectMapper JSON = new ObjectMapper();

    record Taken(String tag, Instant cycleStarted) {}

    @Test
    void theNewestReplicatedSetGoesLiveAfterTheMailboxHostIsLost() throws Exception {
        ZfsPool dr = ZfsPool.createEmpty("zdr", "3G");
        SnapshotHost host = null;
        MariaDbServer promotedDb = null;
        MariaDbServer olderDb = null;
        Process receive = null;
        Path work = Files.createTempDirectory("zmsnap-promote-it-");
        try {
            host = new SnapshotHost();
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            Path index = host.pool.mountpoint(host.pool.dataset("index"));
            Path redolog = host.pool.mountpoint(host.pool.dataset("redolog"));
            GeneratedAccount acct;
            try (Connection c = host.db.connect()) {
                acct = ZimbraMailboxGenerator.generate(c, store, 1, 40).accounts().get(0);
            }
            String targets = "targets:\n"
                    + "  drlocal: { type: zfs, host: local, root: " + dr.name() + "/mbox1, keep: { hourly: 20 } }\n"
                    + "  drsecond: { type: zfs, host: local, root: " + dr.name() + "/mbox2, keep: { hourly: 20 } }\n";
            Path mailboxConfig = host.writeConfig(host.yaml("ftwrl", "5s", "skip", "zfs", ZimbraZfsHost.SITE_RETRY_WINDOW)
                    + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 20 }\n" + targets);
            Config cfg = ConfigLoader.load(mailboxConfig);

            // --- the mailbox host at work: sets taken and replicated while mail arrives
            List<Taken> replicated = new ArrayList<>();
            List<DeliveryLoad.Delivery> acknowledged;
            try (DeliveryLoad load = DeliveryLoad.start(host.db, store, acct.mailboxId(), 40,
                    DeliveryLoad.Options.defaults().withThreads(2));
                 AgentContext ctx = new AgentContext(cfg)) {
                Thread.sleep(1500);
                for (int i = 0; i < 3; i++) {
                    Instant started = Instant.now();
                    CycleOutcome o = ctx.snapshotCycle().run("hourly");
                    replicated.add(new Taken(assertInstanceOf(CycleOutcome.Taken.class, o, o.toString()).report().tag().name(), started));
                    for (String t : List.of("drlocal", "drsecond")) {
                        ZfsTarget tc = (ZfsTarget) cfg.targets().get(t);
                        try (TargetEndpoint ep = TargetEndpoint.open(tc)) {
                            assertInstanceOf(ReplicationOutcome.Replicated.class,
                                    new Replicator(SourceEndpoint.thisHost(ctx.zfs(), "zfs"), ctx.catalog(), cfg.datasets()).replicate(tc, ep, false));
                        }
                    }
                    Thread.sleep(1100); // tags are per second
                }
                // One more set the DR site never gets: promote cannot, and must not pretend to, have it.
                assertInstanceOf(CycleOutcome.Taken.class, ctx.snapshotCycle().run("hourly"));
                Thread.sleep(700);
                // --- the disaster
                host.db.kill();
                acknowledged = load.stop();
            }
            assertTrue(acknowledged.size() > 200, "deliveries during the test: " + acknowledged.size());
            export(host.pool.name());

            String copyRoot = dr.name() + "/mbox1";
            String copyDb = copyRoot + "/zimbra/db";
            assertEquals(index.toString(), dr.zfs("get", "-H", "-o", "value", Replicator.SOURCE_MOUNTPOINT, copyRoot + "/zimbra/index")
                    .stdout().strip(), "the seed recorded where the mailbox host had it");

            // --- the DR host's config
            Path live = work.resolve("live");
            String datasets = "[" + String.join(", ", host.pool.zimbraDatasets()) + "]";
            String drYaml = "host: drhost\nlock-file: " + work.resolve("dr.lock") + "\nsources:\n"
                    + "  mbox1:\n    datasets: " + datasets + "\n    root: " + copyRoot + "\n    keep: { hourly: 20 }\n"
                    + "    mountpoints:\n      " + host.pool.dataset("db") + ": " + live.resolve("db") + "\n"
                    + "      " + host.pool.dataset("store") + ": " + live.resolve("store") + "\n"
                    + "  mbox2:\n    datasets: " + datasets + "\n    root: " + dr.name() + "/mbox2\n    keep: { hourly: 20 }\n"
                    + "  empty:\n    datasets: " + datasets + "\n    root: " + dr.name() + "/nothing\n    keep: { hourly: 1 }\n";
            Path drConfig = Files.writeString(work.resolve("dr.yaml"), drYaml);
            String c = drConfig.toString();
            // index and redolog have only the paths recorded from the mailbox host, which are not under /opt/zimbra:
            // a compromised mailbox host could have recorded /root/.ssh, so promote wants the admin to name them.
            List<String> untouched = dr.snapshots();
            assertRefused(CliRun.run(work, "promote", "-c", c, "--source", "mbox1"), 2, "recorded from the mailbox host for "
                    + host.pool.dataset("index"), "outside /opt/zimbra", "sources.mbox1.mountpoints." + host.pool.dataset("index"));
            assertEquals(untouched, dr.snapshots());
            drYaml = drYaml.replace("  mbox2:\n", "      " + host.pool.dataset("index") + ": " + index + "\n"
                    + "      " + host.pool.dataset("redolog") + ": " + redolog + "\n  mbox2:\n");
            Files.writeString(drConfig, drYaml);
            Config drCfg = ConfigLoader.load(drConfig);

            // --- bad input: each refused, nothing changed
            List<String> before = dr.snapshots();
            CliRun.Result r = CliRun.run(work, "promote", "-c", mailboxConfig.toString(), "--source", "mbox1");
            assertRefused(r, 2, "no sources are configured");
            assertRefused(CliRun.run(work, "promote", "-c", c, "--source", "nosuch"), 2, "unknown source 'nosuch'", "mbox1, mbox2, empty");
            assertRefused(CliRun.run(work, "promote", "-c", c, "--source", "empty"), 2, "no complete set of source empty");
            assertRefused(CliRun.run(work, "promote", "-c", c, "--source", "mbox1", "--snapshot", "zmsnap_hourly_1999-01-01T00:00:00Z"),
                    2, "unknown set 'zmsnap_hourly_1999-01-01T00:00:00Z'", replicated.get(2).tag());
            try (HostLock pull = HostLock.acquire(drCfg.linkLock("source", "mbox1"), "pull of mbox1", Duration.ofSeconds(1))) {
                assertRefused(CliRun.run(work, "promote", "-c", c, "--source", "mbox1"), 1, "a pull for mbox1 is running", "pull of mbox1");
            }
            // a push still arriving: a real 'zfs receive' into a copy, waiting for its stream
            receive = new ProcessBuilder("zfs", "receive", "-u", copyRoot + "/zimbra/redolog").start();
            Thread.sleep(300);
            assertRefused(CliRun.run(work, "promote", "-c", c, "--source", "mbox1"), 1, "a receive into " + copyRoot + " is running");
            receive.destroyForcibly().waitFor();
            receive = null;
            Files.createDirectories(live.resolve("db"));
            Files.writeString(live.resolve("db/leftover"), "someone's files");
            assertRefused(CliRun.run(work, "promote", "-c", c, "--source", "mbox1"), 2,
                    live.resolve("db") + " (for " + host.pool.dataset("db") + ") is in use", "not empty");
            Files.delete(live.resolve("db/leftover"));
            r = CliRun.run(work, "promote", "-c", c, "--source", "mbox1", "--dry-run", "--json");
            assertEquals(0, r.exit(), r.err());
            JsonNode dry = JSON.readTree(r.out());
            assertEquals("dry-run", dry.get("result").asText());
            assertEquals(replicated.get(2).tag(), dry.get("set").asText());
            assertTrue(dry.get("steps").size() > 10, dry.toString());
            assertEquals(before, dr.snapshots(), "nothing changed by refusals or the dry run");
            assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(copyRoot + "/"), "nothing mounted");
            assertFalse(Files.exists(work.resolve("zmsnap.promoted-mbox1.yaml")));

            // --- promote
            r = CliRun.run(work, "promote", "-c", c, "--source", "mbox1", "--json");
            assertEquals(0, r.exit(), r.err() + r.out());
            JsonNode done = JSON.readTree(r.out());
            Taken chosen = replicated.get(2);
            assertEquals("promoted", done.get("result").asText());
            assertEquals(chosen.tag(), done.get("set").asText(), "the newest set the DR host has");
            assertEquals("in-place", done.get("mode").asText());
            assertEquals("unknown", done.get("consistent").asText());
            assertTrue(done.get("total_ms").asDouble() > 0);
            for (JsonNode s : done.get("steps")) {
                assertTrue(s.get("ms").asDouble() >= 0 && !s.get("step").asText().contains("rollback"), s.toString());
            }
            assertEquals(live.resolve("db").toString(), dr.zfs("get", "-H", "-o", "value", "mountpoint", copyDb).stdout().strip());
            assertEquals("yes", dr.zfs("get", "-H", "-o", "value", "mounted", copyRoot + "/zimbra/index").stdout().strip());
            assertEquals(index.toString(), dr.zfs("get", "-H", "-o", "value", "mountpoint", copyRoot + "/zimbra/index").stdout().strip(),
                    "mounted where the mailbox host had it");
            assertEquals("off", dr.zfs("get", "-H", "-o", "value", "readonly", copyDb).stdout().strip());
            String mark = dr.zfs("get", "-H", "-o", "value", "org.zmsnap:promoted", copyDb).stdout().strip();
            assertTrue(mark.contains(chosen.tag()) && mark.endsWith(" drhost"), mark);
            Config suggested = ConfigLoader.load(Path.of(done.get("suggested_config").asText()));
            assertEquals(drCfg.source("mbox1").copies(), suggested.datasets());

            // the DR history: every received set still on every copy, and the kept state held
            for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
                String copy = copyRoot + "/zimbra/" + leaf;
                for (Taken t : replicated) {
                    assertTrue(dr.snapshots().contains(copy + "@" + t.tag()), copy + "@" + t.tag());
                }
                String pre = copy + "@" + done.get("prepromote_snapshot").asText();
                assertEquals("1", dr.zfs("get", "-H", "-o", "value", "userrefs", pre).stdout().strip(), pre + " held");
            }

            // mariadbd starts on the promoted copy: every delivery acknowledged before the set's cycle is there
            promotedDb = MariaDbServer.start(live.resolve("db").resolve("data"), MariaDbServer.Options.zimbraDefaults().existingDatadir(host.db.password()));
            assertDeliveries(promotedDb, acct, acknowledged, chosen, Map.of(store, live.resolve("store")));
            assertRefused(CliRun.run(work, "promote", "-c", c, "--source", "mbox1"), 2,
                    "already promoted at", "to set " + chosen.tag() + " on host drhost");
            // zmsnapd's source service reads the mark: the promotion is in the DR host's metrics
            try (AgentContext drCtx = new AgentContext(drCfg); Metrics metrics = new Metrics("drhost", Duration.ofSeconds(2), Map.of());
                 SourceService sources = new SourceService(drCtx, metrics)) {
                sources.initLag();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (promotedGauge(metrics, "mbox1") == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                long at = Instant.parse(mark.split(" ")[0]).getEpochSecond();
                assertEquals(at, promotedGauge(metrics, "mbox1"), metrics.scrape());
                assertEquals(0, promotedGauge(metrics, "mbox2"), "not promoted");
            }

            // --- the second source, to an older set: its recorded paths are not trusted, and mbox1's index path is taken
            Taken older = replicated.get(0);
            assertRefused(CliRun.run(work, "promote", "-c", c, "--source", "mbox2", "--snapshot", older.tag()), 2,
                    "outside /opt/zimbra", "sources.mbox2.mountpoints");
            Path taken = work.resolve("taken");
            StringBuilder clash = new StringBuilder("    mountpoints:\n");
            for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
                clash.append("      ").append(host.pool.dataset(leaf)).append(": ").append(leaf.equals("index") ? index : taken.resolve(leaf)).append('\n');
            }
            Path clashing = Files.writeString(work.resolve("dr-clash.yaml"), drYaml.replace("  empty:\n", clash + "  empty:\n"));
            assertRefused(CliRun.run(work, "promote", "-c", clashing.toString(), "--source", "mbox2", "--snapshot", older.tag()), 2,
                    index + " (for " + host.pool.dataset("index") + ") is in use: " + copyRoot + "/zimbra/index is mounted there");
            Path olderLive = work.resolve("older");
            StringBuilder mps = new StringBuilder("    mountpoints:\n");
            for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
                mps.append("      ").append(host.pool.dataset(leaf)).append(": ").append(olderLive.resolve(leaf)).append('\n');
            }
            Path drConfig2 = Files.writeString(work.resolve("dr2.yaml"), drYaml.replace("  empty:\n", mps + "  empty:\n"));
            r = CliRun.run(work, "promote", "-c", drConfig2.toString(), "--source", "mbox2", "--snapshot", older.tag());
            assertEquals(0, r.exit(), r.err() + r.out());
            assertTrue(r.out().contains("promoted mbox2 to set " + older.tag()) && r.out().contains("as clones")
                    && r.out().contains("zmcontrol start"), r.out());
            String clone = dr.name() + "/mbox2/zimbra/db_promoted";
            assertEquals(dr.name() + "/mbox2/zimbra/db@" + older.tag(), dr.zfs("get", "-H", "-o", "value", "origin", clone).stdout().strip());
            assertEquals("on", dr.zfs("get", "-H", "-o", "value", "readonly", dr.name() + "/mbox2/zimbra/db").stdout().strip(),
                    "the copy itself is untouched");
            for (Taken t : replicated) {
                assertTrue(dr.snapshots().contains(dr.name() + "/mbox2/zimbra/store@" + t.tag()), "newer sets kept: " + t.tag());
            }
            olderDb = MariaDbServer.start(olderLive.resolve("db").resolve("data"), MariaDbServer.Options.zimbraDefaults().existingDatadir(host.db.password()));
            assertDeliveries(olderDb, acct, acknowledged, older, Map.of(store, olderLive.resolve("store")));
        } finally {
            if (receive != null) {
                receive.destroyForcibly().waitFor();
            }
            if (olderDb != null) {
                olderDb.close();
            }
            if (promotedDb != null) {
                promotedDb.close();
            }
            try {
                dr.close(); // first: its promoted datasets are mounted inside the mailbox pool's (exported) paths
            } finally {
                if (host != null) {
                    host.close();
                }
                Proc.run(Duration.ofSeconds(30), "rm", "-rf", work.toString());
            }
        }
    }

    static void assertRefused(CliRun.Result r, int exit, String... fragments) {
        assertEquals(exit, r.exit(), r.err() + r.out());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' in: " + r.err());
        }
    }

    /** Every delivery acknowledged before the set's cycle began has its row; rows and blobs agree. */
    static void assertDeliveries(MariaDbServer db, GeneratedAccount acct, List<DeliveryLoad.Delivery> acknowledged, Taken set,
                                 Map<Path, Path> remap) throws Exception {
        try (Connection c = db.connect()) {
            ConsistencyReport report = MailboxConsistencyCheck.check(c, remap);
            assertTrue(report.ok(), set.tag() + ": " + report);
            Set<Integer> ids = new HashSet<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id FROM mboxgroup" + acct.groupId() + ".mail_item WHERE mailbox_id = " + acct.mailboxId())) {
                while (rs.next()) {
                    ids.add(rs.getInt(1));
                }
            }
            List<DeliveryLoad.Delivery> before = acknowledged.stream().filter(d -> d.committedAt().isBefore(set.cycleStarted())).toList();
            assertTrue(before.size() > 20, "deliveries before " + set.tag() + ": " + before.size());
            List<Integer> missing = before.stream().map(DeliveryLoad.Delivery::itemId).filter(id -> !ids.contains(id)).toList();
            assertTrue(missing.isEmpty(), set.tag() + ": acknowledged before the cycle but missing: " + missing);
        }
    }

    static long promotedGauge(Metrics m, String source) {
        return m.scrape().lines().filter(l -> l.startsWith("zmsnap_source_promoted_timestamp_seconds{") && l.contains("source=\"" + source + "\""))
                .map(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1L);
    }

    /** The mailbox host's pool goes away as with a dead host: exported (retried while a mount is still busy). */
    static void export(String pool) throws InterruptedException {
        Proc.Result r = null;
        for (int i = 0; i < 20; i++) {
            r = Proc.run(Duration.ofSeconds(60), "zpool", "export", pool);
            if (r.ok()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("cannot export " + pool + ": " + r.stderr());
    }
}
