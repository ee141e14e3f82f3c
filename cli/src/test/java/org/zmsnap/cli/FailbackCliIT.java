package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.zmsnap.cli.PromoteCliIT.assertRefused;

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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.fixtures.MariaDbServer;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.SshHost;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.fixtures.zimbra.DeliveryLoad;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.Replicator;
import org.zmsnap.replication.TargetEndpoint;
import org.zmsnap.snapshot.CycleOutcome;

/**
 * Failback end to end on real zfs-fuse pools and real mariadbd: the mailbox host takes and replicates sets while mail
 * arrives, accepts more after the last replicated set, and dies (mariadbd SIGKILL). The DR host promotes, and mail
 * arrives there. Then every refusal changes nothing; the DR admin grants; {@code zmsnap failback} on the old host keeps
 * and exports what only it had, resets without destroying anything and receives only what the DR host wrote; a rerun
 * adds nothing; the handback (refused while the DR's mariadbd runs) takes the final set; the next failback run goes
 * live; every delivery acknowledged on either side is then on the old host or in the salvage; the next normal
 * replication is incremental.
 */
class FailbackCliIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path ROOT = Path.of(System.getProperty("zmsnap.project.root", ".."));

    @Test
    void theOldHostComesBackWithTheDrHostsMailAndItsOwnSalvaged() throws Exception {
        ZfsPool dr = ZfsPool.createEmpty("zfb", "3G");
        SnapshotHost host = null;
        SshHost ssh = null;
        MariaDbServer drDb = null;
        MariaDbServer backDb = null;
        Process squatter = null;
        Path work = Files.createTempDirectory("zmsnap-failback-it-");
        try {
            host = new SnapshotHost();
            // The DR host's sshd: the old host's key runs only the restricted receiver, as in production. Every byte
            // of the failback travels back through it, and only while the DR admin's grant lasts.
            ssh = SshHost.start(work);
            ssh.authorize("command=\"" + ROOT.resolve("bin/zmsnap").toAbsolutePath().normalize() + " serve --root " + dr.name()
                    + "/mbox1\",restrict");
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            GeneratedAccount acct;
            try (Connection c = host.db.connect()) {
                acct = ZimbraMailboxGenerator.generate(c, store, 1, 40).accounts().get(0);
            }
            String copyRoot = dr.name() + "/mbox1";
            Path mailboxConfig = host.writeConfig(host.yaml("ftwrl", "5s", "skip", "zfs", "")
                    + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 20 }\n"
                    + "targets:\n  dr1:\n    type: zfs\n    host: 127.0.0.1\n    port: " + ssh.port() + "\n    user: root\n"
                    + "    identity: " + ssh.clientKey() + "\n    known-hosts: " + ssh.knownHosts() + "\n    root: " + copyRoot + "\n"
                    + "    keep: { hourly: 20 }\n");
            Config cfg = ConfigLoader.load(mailboxConfig);
            String m = mailboxConfig.toString();

            // --- the mailbox host: two sets replicated, a third not, mail arriving throughout; then it dies
            List<String> replicated = new ArrayList<>();
            List<DeliveryLoad.Delivery> onOldHost;
            Instant killedAt;
            try (DeliveryLoad load = DeliveryLoad.start(host.db, store, acct.mailboxId(), 40, DeliveryLoad.Options.defaults().withThreads(2));
                 AgentContext ctx = new AgentContext(cfg)) {
                Thread.sleep(1000);
                for (int i = 0; i < 2; i++) {
                    CycleOutcome o = ctx.snapshotCycle().run("hourly");
                    replicated.add(assertInstanceOf(CycleOutcome.Taken.class, o, o.toString()).report().tag().name());
                    TargetConfig tc = cfg.targets().get("dr1");
                    try (TargetEndpoint ep = TargetEndpoint.open(tc)) {
                        assertInstanceOf(ReplicationOutcome.Replicated.class,
                                new Replicator(ctx.zfs(), "zfs", ctx.catalog(), cfg.datasets()).replicate(tc, ep, false));
                    }
                    Thread.sleep(1100);
                }
                assertInstanceOf(CycleOutcome.Taken.class, ctx.snapshotCycle().run("hourly")); // never reaches the DR host
                Thread.sleep(1500); // and mail after it, only on this host's disks
                killedAt = Instant.now();
                host.db.kill();
                onOldHost = load.stop();
            }
            String common = replicated.get(1);

            // --- not promoted yet: nothing to fail back
            List<String> oldBefore = host.pool.snapshots();
            assertRefused(CliRun.run(work, "failback", "-c", m, "--target", "dr1"), 2, "not promoted");

            // --- the DR host promotes; mail arrives there
            Path live = work.resolve("live");
            StringBuilder mps = new StringBuilder("    mountpoints:\n");
            for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
                mps.append("      ").append(host.pool.dataset(leaf)).append(": ").append(live.resolve(leaf)).append('\n');
            }
            Path drConfig = Files.writeString(work.resolve("dr.yaml"), "host: drhost\nlock-file: " + work.resolve("dr.lock")
                    + "\nsources:\n  mbox1:\n    datasets: [" + String.join(", ", host.pool.zimbraDatasets()) + "]\n    root: "
                    + copyRoot + "\n    keep: { hourly: 20 }\n" + mps);
            String d = drConfig.toString();
            CliRun.Result r = CliRun.run(work, "promote", "-c", d, "--source", "mbox1");
            assertEquals(0, r.exit(), r.err() + r.out());
            assertEquals("1", dr.zfs("get", "-H", "-o", "value", "userrefs", copyRoot + "/zimbra/store@" + common).stdout().strip(),
                    "promote holds the promoted set: the failback's base, whatever this host's retention does meanwhile");
            drDb = MariaDbServer.start(live.resolve("db").resolve("data"), MariaDbServer.Options.zimbraDefaults().existingDatadir());
            List<DeliveryLoad.Delivery> onDr;
            List<String> drSets = new ArrayList<>();
            try (DeliveryLoad load = DeliveryLoad.start(drDb, live.resolve("store"), acct.mailboxId(), 40,
                    DeliveryLoad.Options.defaults().withThreads(2))) {
                for (int i = 0; i < 2; i++) {
                    Thread.sleep(1500);
                    drSets.add(snapshotAll(dr, copyRoot, host.pool, "zmsnap_hourly_" + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
                }
                Thread.sleep(500);
                onDr = load.stop();
            }
            assertTrue(onDr.size() > 40, "deliveries on the DR host: " + onDr.size());

            // --- bad input and missing rights: each refused, nothing changed on either side
            List<String> drBefore = dr.snapshots();
            assertRefused(CliRun.run(work, "failback", "-c", m, "--target", "nosuch"), 2, "unknown zfs target 'nosuch'", "dr1");
            assertRefused(CliRun.run(work, "failback", "-c", m, "--target", "dr1"), 2, "has not granted", "zmsnap failback grant");
            assertRefused(CliRun.run(work, "failback", "grant", "-c", d, "--source", "mbox1", "--hours", "500"), 2, "at most 168 hours");
            r = CliRun.run(work, "failback", "grant", "-c", d, "--source", "mbox1", "--hours", "2");
            assertEquals(0, r.exit(), r.err());
            squatter = new ProcessBuilder("sleep", "300").directory(store.toFile()).start(); // someone still on the store
            assertRefused(CliRun.run(work, "failback", "-c", m, "--target", "dr1"), 2, "in use by " + squatter.pid() + " (sleep)");
            squatter.destroyForcibly().waitFor();
            squatter = null;
            assertRefused(CliRun.run(work, "failback", "-c", m, "--target", "dr1"), 2, "--salvage-dir");
            r = CliRun.run(work, "failback", "-c", m, "--target", "dr1", "--dry-run", "--json");
            assertEquals(0, r.exit(), r.err());
            JsonNode dry = JSON.readTree(r.out());
            assertEquals("dry-run", dry.get("result").asText());
            assertEquals(common, dry.get("common").asText(), "the newest set both sides have");
            assertTrue(dry.get("salvage").asText().startsWith("zmsnap_salvage_"), dry.toString());
            assertEquals(oldBefore, host.pool.snapshots(), "refusals and the dry run changed nothing here");
            assertEquals(drBefore, dr.snapshots(), "nor on the DR host");

            // --- failback, cut mid-way: the first 'zfs promote' of the reset fails (after the salvage, the export, a
            // rename and a clone); nothing is destroyed and the next run continues from what ZFS shows
            Path salvageDir = work.resolve("salvage");
            Path failingZfs = work.resolve("zfs-without-promote");
            Files.writeString(failingZfs, "#!/bin/bash\nif [ \"$1\" = promote ]; then echo 'injected: promote fails' >&2; exit 1; fi\n"
                    + "exec zfs \"$@\"\n");
            assertTrue(failingZfs.toFile().setExecutable(true));
            Path cutConfig = Files.writeString(work.resolve("cut.yaml"), Files.readString(mailboxConfig)
                    .replace(host.yaml("ftwrl", "5s", "skip", "zfs", ""), host.yaml("ftwrl", "5s", "skip", failingZfs.toString(), "")));
            r = CliRun.run(work, "failback", "-c", cutConfig.toString(), "--target", "dr1", "--salvage-dir", salvageDir.toString());
            assertRefused(r, 1, "stopped at 'reset " + host.pool.dataset("db") + " (original)'", "injected: promote fails", "run the same command again");
            assertEquals(drBefore, dr.snapshots(), "the DR host untouched");
            r = CliRun.run(work, "failback", "-c", m, "--target", "dr1", "--dry-run");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains(host.pool.dataset("db") + ": cloned"), r.out());
            assertTrue(r.out().contains(host.pool.dataset("store") + ": original"), r.out());

            // --- failback, first (continued) run: reset, receive while the DR host keeps serving
            r = CliRun.run(work, "failback", "-c", m, "--target", "dr1", "--salvage-dir", salvageDir.toString(), "--json");
            assertEquals(0, r.exit(), r.err() + r.out());
            JsonNode first = JSON.readTree(r.out());
            assertEquals("received", first.get("result").asText(), first.toString());
            String salvage = first.get("salvage").asText();
            // what the DR host wrote since the common set (its increment, as zfs sends it) versus a full send
            long increment = 0;
            long full = 0;
            for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
                String copy = copyRoot + "/zimbra/" + leaf;
                increment += sendSize("-I", copy + "@" + common, copy + "@" + drSets.get(1));
                full += sendSize(copy + "@" + drSets.get(1));
            }
            long sent = first.get("bytes").asLong();
            assertTrue(sent > 0 && sent <= increment * 11 / 10 + 65536 && sent < full,
                    "only what the DR host wrote travels back: sent " + sent + ", its increment " + increment + ", a full send " + full);
            for (String ds : host.pool.zimbraDatasets()) {
                String aside = ds + "_salvage_" + salvage.substring("zmsnap_salvage_".length()).replace("-", "").replace(":", "");
                assertEquals("1", host.pool.zfs("get", "-H", "-o", "value", "userrefs", aside + "@" + salvage).stdout().strip(),
                        "the kept state is held: " + aside);
                assertEquals(ds + "@" + common, host.pool.zfs("get", "-H", "-o", "value", "origin", aside).stdout().strip());
                assertEquals("on", host.pool.zfs("get", "-H", "-o", "value", "readonly", ds).stdout().strip(), "fenced until the cutover");
                assertTrue(host.pool.snapshots().contains(ds + "@" + drSets.get(1)), "received " + drSets.get(1) + " into " + ds);
            }
            Path manifest = salvageDir.resolve(salvage).resolve("manifest.json");
            JsonNode items = JSON.readTree(Files.readAllBytes(manifest)).get("items");
            assertTrue(items.size() > 0, "the mail accepted after the last replicated set is salvaged");

            // a rerun continues from what is there: nothing new to do
            r = CliRun.run(work, "failback", "-c", m, "--target", "dr1", "--salvage-dir", salvageDir.toString(), "--json");
            assertEquals(0, r.exit(), r.err() + r.out());
            assertEquals(0, JSON.readTree(r.out()).get("bytes").asLong());

            // --- handback: refused while the DR's mariadbd still runs on the copies
            assertRefused(CliRun.run(work, "failback", "handback", "-c", d, "--source", "mbox1"), 1, "in use by", "(mariadbd)");
            drDb.close();
            drDb = null;
            r = CliRun.run(work, "failback", "handback", "-c", d, "--source", "mbox1");
            assertEquals(0, r.exit(), r.err() + r.out());
            String finalSet = dr.zfs("get", "-H", "-o", "value", "org.zmsnap:handback", copyRoot + "/zimbra/db").stdout().strip().split(" ")[1];
            assertEquals("on", dr.zfs("get", "-H", "-o", "value", "readonly", copyRoot + "/zimbra/store").stdout().strip());
            assertEquals("no", dr.zfs("get", "-H", "-o", "value", "mounted", copyRoot + "/zimbra/store").stdout().strip());

            // --- failback, cutover: the final set arrives, the datasets go live
            r = CliRun.run(work, "failback", "-c", m, "--target", "dr1", "--salvage-dir", salvageDir.toString(), "--json");
            assertEquals(0, r.exit(), r.err() + r.out());
            JsonNode cut = JSON.readTree(r.out());
            assertEquals("live", cut.get("result").asText(), cut.toString());
            assertEquals(finalSet, cut.get("final_set").asText());
            for (String ds : host.pool.zimbraDatasets()) {
                assertEquals("off", host.pool.zfs("get", "-H", "-o", "value", "readonly", ds).stdout().strip());
                assertEquals("yes", host.pool.zfs("get", "-H", "-o", "value", "mounted", ds).stdout().strip());
                String copy = copyRoot + "/" + ds.substring(ds.indexOf('/') + 1);
                assertEquals(dr.zfs("get", "-H", "-o", "value", "guid", copy + "@" + finalSet).stdout().strip(),
                        host.pool.zfs("get", "-H", "-o", "value", "guid", ds + "@" + finalSet).stdout().strip(), "one chain: " + ds);
            }

            // every delivery acknowledged on either side is on this host again, or in the salvage
            backDb = MariaDbServer.start(host.pool.mountpoint(host.pool.dataset("db")).resolve("data"),
                    MariaDbServer.Options.zimbraDefaults().existingDatadir());
            Map<Integer, String> rows = digests(backDb, acct);
            for (DeliveryLoad.Delivery del : onDr) {
                assertEquals(del.digest(), rows.get(del.itemId()), "delivered on the DR host, here after failback: " + del.itemId());
            }
            Set<Integer> salvaged = new HashSet<>();
            items.forEach(i -> salvaged.add(i.get("item_id").asInt()));
            // Zimbra runs InnoDB with innodb_flush_log_at_trx_commit = 0 (as the fixture does): the log reaches the
            // disk once a second, so commits of the last second before the crash never reached the old host's disk
            // and no salvage can have them. Everything older must be back or salvaged.
            Instant durable = killedAt.minusMillis(1500);
            List<Integer> lost = onOldHost.stream().filter(del -> !del.digest().equals(rows.get(del.itemId())) && !salvaged.contains(del.itemId()))
                    .filter(del -> del.committedAt().isBefore(durable)).map(DeliveryLoad.Delivery::itemId).toList();
            assertTrue(lost.isEmpty(), "acknowledged on the old host before its last second, neither back nor salvaged: " + lost);
            long salvagedDeliveries = onOldHost.stream().filter(del -> salvaged.contains(del.itemId())).count();
            assertTrue(salvagedDeliveries > 10, "deliveries after the last replicated set, salvaged: " + salvagedDeliveries);
            backDb.close();
            backDb = null;

            // --- the next normal replication is incremental, and the grant ends
            String next = "zmsnap_hourly_" + Instant.now().plusSeconds(2).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            for (String ds : host.pool.zimbraDatasets()) {
                host.pool.zfs("snapshot", ds + "@" + next);
            }
            try (AgentContext ctx = new AgentContext(cfg); TargetEndpoint ep = TargetEndpoint.open(cfg.targets().get("dr1"))) {
                ReplicationOutcome o = new Replicator(ctx.zfs(), "zfs", ctx.catalog(), cfg.datasets()).replicate(cfg.targets().get("dr1"), ep, false);
                ReplicationOutcome.Replicated rep = assertInstanceOf(ReplicationOutcome.Replicated.class, o, o.toString());
                assertTrue(rep.steps().stream().allMatch(s -> s.contains("-i " + finalSet)), rep.steps().toString());
            }
            r = CliRun.run(work, "failback", "revoke", "-c", d, "--source", "mbox1");
            assertEquals(0, r.exit(), r.err());
            assertEquals("-", dr.zfs("get", "-H", "-o", "value", "org.zmsnap:failback-grant", copyRoot).stdout().strip());
            assertEquals("0", dr.zfs("get", "-H", "-o", "value", "userrefs", copyRoot + "/zimbra/store@" + common).stdout().strip(),
                    "the base is released with the grant");
            assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(copyRoot + "/"), "the DR copies are unmounted replicas");
        } finally {
            if (squatter != null) {
                squatter.destroyForcibly().waitFor();
            }
            for (MariaDbServer db : new MariaDbServer[] {drDb, backDb}) {
                if (db != null) {
                    db.close();
                }
            }
            try {
                if (ssh != null) {
                    ssh.close();
                }
                dr.close();
            } finally {
                if (host != null) {
                    host.close();
                }
                Proc.run(Duration.ofSeconds(30), "rm", "-rf", work.toString());
            }
        }
    }

    /** Bytes of {@code zfs send ARGS}, counted as they stream. */
    private static long sendSize(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("zfs", "send"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long n;
        try (var in = p.getInputStream()) {
            n = in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        assertEquals(0, p.waitFor(), "zfs send " + args);
        return n;
    }

    /** One set on every copy (the DR host's own sets while it serves). */
    private static String snapshotAll(ZfsPool dr, String copyRoot, ZfsPool mailboxPool, String name) {
        for (String ds : mailboxPool.zimbraDatasets()) {
            Proc.Result res = dr.zfs("snapshot", copyRoot + "/" + ds.substring(ds.indexOf('/') + 1) + "@" + name);
            assertTrue(res.ok(), res.stderr());
        }
        return name;
    }

    private static Map<Integer, String> digests(MariaDbServer db, GeneratedAccount acct) throws Exception {
        Map<Integer, String> out = new HashMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, blob_digest FROM mboxgroup" + acct.groupId() + ".mail_item WHERE mailbox_id = "
                     + acct.mailboxId())) {
            while (rs.next()) {
                out.put(rs.getInt(1), rs.getString(2));
            }
        }
        return out;
    }
}
