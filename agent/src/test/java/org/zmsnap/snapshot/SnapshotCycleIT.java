package org.zmsnap.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.MariaDbServer;
import org.zmsnap.fixtures.SnapshotHost;

/**
 * The snapshot cycle's MariaDB side against a real zfs-fuse pool and a real mariadbd whose datadir is on the pool:
 * lock back-off, server-side bounds, bad input. What depends on the ZFS flavour runs on every flavour in
 * {@link SnapshotCycleZfsIT}.
 */
class SnapshotCycleIT {
    static SnapshotHost host;

    @BeforeAll
    static void start() throws Exception {
        host = new SnapshotHost();
        host.sql("CREATE DATABASE IF NOT EXISTS app",
                "CREATE TABLE IF NOT EXISTS app.t (id INT PRIMARY KEY, v VARCHAR(64)) ENGINE=InnoDB");
    }

    @AfterAll
    static void stop() {
        if (host != null) {
            host.close();
        }
    }

    private static Config config(String quiesce) {
        return parse(host.yaml(quiesce, "2s", "crash-consistent", "zfs", ""));
    }

    private static Config parse(String yaml) {
        return ConfigLoader.parse(yaml, host.dir.resolve("zmsnap.yaml"));
    }

    private static CycleOutcome cycle(Config cfg, String policy) {
        try (AgentContext ctx = new AgentContext(cfg)) {
            return ctx.snapshotCycle().run(policy);
        }
    }

    @Test
    void aLongRunningWriteMakesFtwrlBackOffInsteadOfStallingWriters() throws Exception {
        // A long UPDATE: FTWRL would queue behind it and every new write behind FTWRL.
        CompletableFuture<Void> longWrite = CompletableFuture.runAsync(() -> {
            try {
                host.sql("INSERT IGNORE INTO app.t VALUES (999999, 'x')",
                        "UPDATE app.t SET v = CONCAT(v, SLEEP(4)) WHERE id = 999999");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(400);
        CompletableFuture<CycleOutcome> cycle = CompletableFuture.supplyAsync(() ->
                cycle(parse(host.yaml("ftwrl", "1s", "skip", "zfs", "")), "manual"));
        long worst = 0;
        while (!cycle.isDone()) {
            long t = System.nanoTime();
            // IGNORE: a random key may repeat one inserted before (it did once); the timing is what counts.
            host.sql("INSERT IGNORE INTO app.t VALUES (200000 + FLOOR(RAND() * 1000000), 'writer')");
            worst = Math.max(worst, (System.nanoTime() - t) / 1_000_000);
            Thread.sleep(20);
        }
        CycleOutcome out = cycle.get();
        longWrite.get(30, TimeUnit.SECONDS);
        CycleOutcome.Skipped skipped = assertInstanceOf(CycleOutcome.Skipped.class, out, out.toString());
        assertTrue(skipped.reason().contains("long-running write"), skipped.reason());
        assertTrue(worst < 1_000, "no writer waited longer than the budget; worst " + worst + " ms");
    }

    @Test
    void anIdleTableLockTheProcessListCannotSeeIsBoundedServerSide() throws Exception {
        // An idle session holding LOCK TABLES ... WRITE shows as 'Sleep': the pre-flight cannot see it, FTWRL
        // waits for it, and every writer queues behind FTWRL. Only max_statement_time bounds that wait.
        host.sql("CREATE TABLE IF NOT EXISTS app.other (id BIGINT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB");
        try (Connection holder = host.db.connect(); Statement s = holder.createStatement()) {
            s.execute("LOCK TABLES app.t WRITE");
            CompletableFuture<CycleOutcome> cycle = CompletableFuture.supplyAsync(() ->
                    cycle(parse(host.yaml("ftwrl", "1s", "skip", "zfs", "")), "manual"));
            long worst = 0;
            while (!cycle.isDone()) {
                long t = System.nanoTime();
                host.sql("INSERT INTO app.other VALUES ()");
                worst = Math.max(worst, (System.nanoTime() - t) / 1_000_000);
                Thread.sleep(20);
            }
            CycleOutcome.Skipped skipped = assertInstanceOf(CycleOutcome.Skipped.class, cycle.get(), cycle.get().toString());
            assertTrue(skipped.reason().contains("not acquired within"), skipped.reason());
            assertTrue(worst < 1_000, "writers waited at most " + worst + " ms with a 1 s budget");
            s.execute("UNLOCK TABLES");
        }
        assertFlushSettingRestored(); // raised to 1 for the pre-flush before each attempt, and put back
    }

    @Test
    void backupStageIsBoundedWhenAnotherBackupHoldsIt() throws Exception {
        // mariabackup (or a second tool) holding BACKUP STAGE: ours must give up within the budget, not wait.
        try (Connection other = host.db.connect(); Statement s = other.createStatement()) {
            s.execute("BACKUP STAGE START");
            long t = System.nanoTime();
            CycleOutcome out = cycle(parse(host.yaml("backup-stage", "1s", "skip", "zfs", "")), "manual");
            long ms = (System.nanoTime() - t) / 1_000_000;
            CycleOutcome.Skipped skipped = assertInstanceOf(CycleOutcome.Skipped.class, out, out.toString());
            assertTrue(skipped.reason().contains("BACKUP STAGE"), skipped.reason());
            assertTrue(ms < 5_000, "gave up after " + ms + " ms (retry window 1 s)");
            s.execute("BACKUP STAGE END");
        }
        assertNoLockHeld();
        assertFlushSettingRestored();
    }

    @Test
    void withoutTheLockCrashConsistentTakesASetMarkedNotConsistent() throws Exception {
        CompletableFuture<Void> longWrite = CompletableFuture.runAsync(() -> {
            try {
                host.sql("INSERT IGNORE INTO app.t VALUES (999998, 'x')",
                        "UPDATE app.t SET v = CONCAT(v, SLEEP(3)) WHERE id = 999998");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(400);
        CycleOutcome out = cycle(parse(host.yaml("ftwrl", "1s", "crash-consistent", "zfs", "")), "manual");
        longWrite.get(30, TimeUnit.SECONDS);
        SetReport r = assertInstanceOf(CycleOutcome.Taken.class, out, out.toString()).report();
        assertFalse(r.consistent());
        assertEquals("no", host.userProps(host.pool.dataset("db") + "@" + r.tag().name()).get("org.zmsnap:consistent"));
    }

    @Test
    void badInputTakesNoSnapshotAndLeavesNoLock() throws Exception {
        List<String> before = host.snapshots();
        String good = host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "");

        String unknownDataset = good.replace(host.pool.dataset("index"), host.pool.name() + "/zimbra/nosuch");
        CycleOutcome.Failed f1 = assertInstanceOf(CycleOutcome.Failed.class, cycle(parse(unknownDataset), "manual"));
        assertTrue(f1.reason().contains("nosuch") && f1.reason().contains("do not exist"), f1.reason());

        Path wrongPw = host.dir.resolve("wrong.password");
        java.nio.file.Files.writeString(wrongPw, "not-the-password\n");
        java.nio.file.Files.setPosixFilePermissions(wrongPw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        CycleOutcome.Failed f2 = assertInstanceOf(CycleOutcome.Failed.class,
                cycle(parse(good.replace(host.db.passwordFile().toString(), wrongPw.toString())), "manual"));
        assertTrue(f2.reason().contains("access denied"), f2.reason());

        CycleOutcome.Failed f3 = assertInstanceOf(CycleOutcome.Failed.class,
                cycle(parse(good.replace(host.db.socket().toString(), "/nonexistent/mysql.sock")), "manual"));
        assertTrue(f3.reason().contains("/nonexistent/mysql.sock") && f3.reason().contains("does not exist"), f3.reason());

        assertEquals(before, host.snapshots(), "no snapshot taken on bad input");
        assertNoLockHeld();
    }

    private static void assertFlushSettingRestored() throws Exception {
        try (Connection c = host.db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@global.innodb_flush_log_at_trx_commit")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "Zimbra's setting is back after a cycle that did not get the lock");
        }
    }

    private static void assertNoLockHeld() throws Exception {
        long t = System.nanoTime();
        host.sql("INSERT IGNORE INTO app.t VALUES (300000 + FLOOR(RAND() * 1000000), 'after')");
        assertTrue((System.nanoTime() - t) / 1_000_000 < 500, "writes are not blocked");
    }


}
