package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.fixtures.MariaDbServer;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.ZimbraZfsHost;
import org.zmsnap.fixtures.SshHost;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.fixtures.zimbra.DeliveryLoad;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.Replicator;
import org.zmsnap.replication.SourceEndpoint;
import org.zmsnap.replication.TargetEndpoint;
import org.zmsnap.snapshot.CycleOutcome;

/**
 * The failback ITs' world, on real zfs-fuse pools, real mariadbd and a real sshd: {@link #oldHostDies} — the mailbox host
 * takes and replicates two sets while mail arrives, takes a third that never reaches the DR host, accepts more mail, and
 * dies (mariadbd SIGKILL); {@link #promoteAndServe} — the DR host promotes, mail arrives there and it takes two sets of
 * its own. The old host reaches the DR host only through its restricted {@code zmsnap serve --root} key. The checks
 * every failback must pass at the end are here too, so that an interrupted failback is held to exactly what an
 * uninterrupted one is.
 */
final class FailbackScenario implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path ROOT = Path.of(System.getProperty("zmsnap.project.root", ".."));

    final ZfsPool dr;
    final Path work;
    SnapshotHost host;
    SshHost ssh;
    MariaDbServer drDb;
    GeneratedAccount acct;
    String copyRoot;
    Path mailboxConfig;
    /** {@link #mailboxConfig} as a path string, for the CLI. */
    String m;
    Config cfg;
    final List<String> replicated = new ArrayList<>();
    /** The newest set both sides have: the second replicated one. */
    String common;
    List<DeliveryLoad.Delivery> onOldHost;
    Instant killedAt;
    Path live;
    Path drConfig;
    /** {@link #drConfig} as a path string, for the CLI. */
    String d;
    final List<String> drSets = new ArrayList<>();
    List<DeliveryLoad.Delivery> onDr;

    private FailbackScenario(String poolPrefix) throws Exception {
        dr = ZfsPool.createEmpty(poolPrefix, "3G");
        work = Files.createTempDirectory("zmsnap-failback-it-");
    }

    /** The mailbox host's life up to its death; the DR host holds two of its sets. */
    static FailbackScenario oldHostDies(String poolPrefix) throws Exception {
        FailbackScenario s = new FailbackScenario(poolPrefix);
        try {
            s.setUpOldHost();
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    private void setUpOldHost() throws Exception {
        host = new SnapshotHost();
        // The DR host's sshd: the old host's key runs only the restricted receiver, as in production. Every byte of the
        // failback travels back through it, and only while the DR admin's grant lasts.
        ssh = SshHost.start(work);
        ssh.authorize("command=\"" + ROOT.resolve("bin/zmsnap").toAbsolutePath().normalize() + " serve --root " + dr.name()
                + "/mbox1\",restrict");
        Path store = host.pool.mountpoint(host.pool.dataset("store"));
        try (Connection c = host.db.connect()) {
            acct = ZimbraMailboxGenerator.generate(c, store, 1, 40).accounts().get(0);
        }
        copyRoot = dr.name() + "/mbox1";
        mailboxConfig = host.writeConfig(host.yaml("ftwrl", "5s", "skip", "zfs", ZimbraZfsHost.SITE_RETRY_WINDOW)
                + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 20 }\n"
                + "targets:\n  dr1:\n    type: zfs\n    host: 127.0.0.1\n    port: " + ssh.port() + "\n    user: root\n"
                + "    identity: " + ssh.clientKey() + "\n    known-hosts: " + ssh.knownHosts() + "\n    root: " + copyRoot + "\n"
                + "    keep: { hourly: 20 }\n");
        cfg = ConfigLoader.load(mailboxConfig);
        m = mailboxConfig.toString();

        // two sets replicated, a third not, mail arriving throughout; then the host dies
        try (DeliveryLoad load = DeliveryLoad.start(host.db, store, acct.mailboxId(), 40, DeliveryLoad.Options.defaults().withThreads(2));
             AgentContext ctx = new AgentContext(cfg)) {
            Thread.sleep(1000);
            for (int i = 0; i < 2; i++) {
                CycleOutcome o = ctx.snapshotCycle().run("hourly");
                replicated.add(assertInstanceOf(CycleOutcome.Taken.class, o, o.toString()).report().tag().name());
                ZfsTarget tc = (ZfsTarget) cfg.targets().get("dr1");
                try (TargetEndpoint ep = TargetEndpoint.open(tc)) {
                    assertInstanceOf(ReplicationOutcome.Replicated.class,
                            new Replicator(SourceEndpoint.thisHost(ctx.zfs(), "zfs"), ctx.catalog(), cfg.datasets()).replicate(tc, ep, false));
                }
                Thread.sleep(1100);
            }
            assertInstanceOf(CycleOutcome.Taken.class, ctx.snapshotCycle().run("hourly")); // never reaches the DR host
            Thread.sleep(1500); // and mail after it, only on this host's disks
            killedAt = Instant.now();
            host.db.kill();
            onOldHost = load.stop();
        }
        common = replicated.get(1);
    }

    /** The DR host promotes (exit 0 asserted) and serves: mail delivered, two sets of its own. Its mariadbd keeps running. */
    void promoteAndServe() throws Exception {
        live = work.resolve("live");
        StringBuilder mps = new StringBuilder("    mountpoints:\n");
        for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
            mps.append("      ").append(host.pool.dataset(leaf)).append(": ").append(live.resolve(leaf)).append('\n');
        }
        drConfig = Files.writeString(work.resolve("dr.yaml"), "host: drhost\nlock-file: " + work.resolve("dr.lock")
                + "\nsources:\n  mbox1:\n    datasets: [" + String.join(", ", host.pool.zimbraDatasets()) + "]\n    root: "
                + copyRoot + "\n    keep: { hourly: 20 }\n" + mps);
        d = drConfig.toString();
        CliRun.Result r = CliRun.run(work, "promote", "-c", d, "--source", "mbox1");
        assertEquals(0, r.exit(), r.err() + r.out());
        drDb = MariaDbServer.start(live.resolve("db").resolve("data"), MariaDbServer.Options.zimbraDefaults().existingDatadir(host.db.password()));
        try (DeliveryLoad load = DeliveryLoad.start(drDb, live.resolve("store"), acct.mailboxId(), 40,
                DeliveryLoad.Options.defaults().withThreads(2))) {
            for (int i = 0; i < 2; i++) {
                Thread.sleep(1500);
                drSets.add(snapshotAll("zmsnap_hourly_" + Instant.now().truncatedTo(ChronoUnit.SECONDS)));
            }
            Thread.sleep(500);
            onDr = load.stop();
        }
        assertTrue(onDr.size() > 40, "deliveries on the DR host: " + onDr.size());
    }

    /** The DR admin stops the DR host's mariadbd (Zimbra stopped there: the write pause starts). */
    void stopDrDatabase() {
        drDb.close();
        drDb = null;
    }

    /** {@code zmsnap failback} on the old host with this host's config and the given extra JVM options. */
    CliRun.Result failback(List<String> jvmOptions, String... args) {
        List<String> argv = new ArrayList<>(List.of("failback", "-c", m, "--target", "dr1"));
        argv.addAll(List.of(args));
        return CliRun.run(work, jvmOptions, argv.toArray(String[]::new));
    }

    /** {@code zmsnap failback SUB --source mbox1} on the DR host. */
    CliRun.Result drSide(List<String> jvmOptions, String sub, String... args) {
        List<String> argv = new ArrayList<>(List.of("failback", sub, "-c", d, "--source", "mbox1"));
        argv.addAll(List.of(args));
        return CliRun.run(work, jvmOptions, argv.toArray(String[]::new));
    }

    /** The DR copy of an old-host dataset. */
    String copyOf(String dataset) {
        return copyRoot + "/" + dataset.substring(dataset.indexOf('/') + 1);
    }

    /** The kept-aside dataset of a salvage, as failback names it. */
    static String aside(String dataset, String salvage) {
        return dataset + "_salvage_" + salvage.substring("zmsnap_salvage_".length()).replace("-", "").replace(":", "");
    }

    String local(String property, String name) {
        return host.pool.zfs("get", "-H", "-o", "value", property, name).stdout().strip();
    }

    String remote(String property, String name) {
        return dr.zfs("get", "-H", "-o", "value", property, name).stdout().strip();
    }

    /** Every snapshot of a pool, full name → GUID. */
    static Map<String, String> guids(ZfsPool pool) {
        Map<String, String> out = new HashMap<>();
        for (String line : pool.zfs("list", "-H", "-t", "snapshot", "-o", "name,guid", "-r", pool.name()).stdout().lines().toList()) {
            String[] f = line.split("\t");
            out.put(f[0], f[1]);
        }
        return out;
    }

    /**
     * After the cutover, as every failback must end: live on the final set with the DR copy's GUIDs; the kept state held
     * and a clone of the common set; mariadbd here holds every delivery acknowledged on the DR host; every delivery
     * acknowledged here before the last second of its life is here or in the manifest; the next normal replication is
     * an increment from the final set.
     */
    void assertLiveAndNothingLost(String finalSet, String salvage, Path salvageDir) throws Exception {
        for (String ds : host.pool.zimbraDatasets()) {
            assertEquals("off", local("readonly", ds), ds);
            assertEquals("yes", local("mounted", ds), ds);
            assertEquals("-", local("org.zmsnap:failback-salvage", ds), "the cutover removed the mark: " + ds);
            assertEquals(remote("guid", copyOf(ds) + "@" + finalSet), local("guid", ds + "@" + finalSet), "one chain: " + ds);
            String aside = aside(ds, salvage);
            assertEquals("1", local("userrefs", aside + "@" + salvage), "the kept state is held: " + aside);
            assertEquals(ds + "@" + common, local("origin", aside));
            // zfs-fuse has no 'zfs holds': the tag is there when it can be released (and it is put back at once)
            assertTrue(host.pool.zfsResult("release", "zmsnap:salvage", ds + "@" + common).ok(), "the kept state's origin is held: " + ds);
            host.pool.zfs("hold", "zmsnap:salvage", ds + "@" + common);
        }
        JsonNode items = JSON.readTree(Files.readAllBytes(salvageDir.resolve(salvage).resolve("manifest.json"))).get("items");
        assertTrue(items.size() > 0, "the mail accepted after the last replicated set is salvaged");

        MariaDbServer backDb = MariaDbServer.start(host.pool.mountpoint(host.pool.dataset("db")).resolve("data"),
                MariaDbServer.Options.zimbraDefaults().existingDatadir(host.db.password()));
        try {
            Map<Integer, String> rows = digests(backDb);
            for (DeliveryLoad.Delivery del : onDr) {
                assertEquals(del.digest(), rows.get(del.itemId()), "delivered on the DR host, here after failback: " + del.itemId());
            }
            Set<Integer> salvaged = new HashSet<>();
            items.forEach(i -> salvaged.add(i.get("item_id").asInt()));
            // Zimbra runs InnoDB with innodb_flush_log_at_trx_commit = 0 (as the fixture does): the log reaches the disk
            // once a second, so commits of the last second before the crash never reached the old host's disk and no
            // salvage can have them. Everything older must be back or salvaged.
            Instant durable = killedAt.minusMillis(1500);
            List<Integer> lost = onOldHost.stream().filter(del -> !del.digest().equals(rows.get(del.itemId())) && !salvaged.contains(del.itemId()))
                    .filter(del -> del.committedAt().isBefore(durable)).map(DeliveryLoad.Delivery::itemId).toList();
            assertTrue(lost.isEmpty(), "acknowledged on the old host before its last second, neither back nor salvaged: " + lost);
            long salvagedDeliveries = onOldHost.stream().filter(del -> salvaged.contains(del.itemId())).count();
            assertTrue(salvagedDeliveries > 10, "deliveries after the last replicated set, salvaged: " + salvagedDeliveries);
        } finally {
            backDb.close();
        }

        String next = "zmsnap_hourly_" + Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
        for (String ds : host.pool.zimbraDatasets()) {
            host.pool.zfs("snapshot", ds + "@" + next);
        }
        ZfsTarget dr1 = (ZfsTarget) cfg.targets().get("dr1");
        try (AgentContext ctx = new AgentContext(cfg); TargetEndpoint ep = TargetEndpoint.open(dr1)) {
            ReplicationOutcome o = new Replicator(SourceEndpoint.thisHost(ctx.zfs(), "zfs"), ctx.catalog(), cfg.datasets()).replicate(dr1, ep, false);
            ReplicationOutcome.Replicated rep = assertInstanceOf(ReplicationOutcome.Replicated.class, o, o.toString());
            assertTrue(rep.steps().stream().allMatch(s -> s.contains("-i " + finalSet)), rep.steps().toString());
        }
    }

    /** One set on every copy (the DR host's own sets while it serves). */
    String snapshotAll(String name) {
        for (String ds : host.pool.zimbraDatasets()) {
            Proc.Result res = dr.zfs("snapshot", copyOf(ds) + "@" + name);
            assertTrue(res.ok(), res.stderr());
        }
        return name;
    }

    Map<Integer, String> digests(MariaDbServer db) throws Exception {
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

    @Override
    public void close() {
        if (drDb != null) {
            drDb.close();
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
