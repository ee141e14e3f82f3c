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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.MariaDbServer;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.TestMariaDb;
import org.zmsnap.mariadb.LockOutcome;
import org.zmsnap.mariadb.Privileges;
import org.zmsnap.mariadb.QuiesceReadiness;
import org.zmsnap.mariadb.Quiesced;

/**
 * The snapshot cycle's MariaDB side against a real zfs-fuse pool and a real mariadbd whose datadir is on the pool,
 * on every MariaDB generation (-Dmariadb: this machine's server, 10.5, 10.11 and 11.8 in containers): lock back-off,
 * server-side bounds, bad input, the privileges each version needs. What depends on the ZFS flavour runs on every
 * flavour in {@link SnapshotCycleZfsIT}.
 */
class SnapshotCycleIT {
    private static final Map<TestMariaDb, SnapshotHost> HOSTS = new java.util.EnumMap<>(TestMariaDb.class);

    /** One host per generation for the whole class. */
    static SnapshotHost host(TestMariaDb generation) throws Exception {
        generation.require();
        SnapshotHost h = HOSTS.get(generation);
        if (h == null) {
            h = new SnapshotHost("2G", generation, MariaDbServer.Options.zimbraDefaults());
            HOSTS.put(generation, h);
            h.sql("CREATE DATABASE IF NOT EXISTS app",
                    "CREATE TABLE IF NOT EXISTS app.t (id INT PRIMARY KEY, v VARCHAR(64)) ENGINE=InnoDB");
        }
        return h;
    }

    /** A long UPDATE on row {@code id} (made if missing), running {@code seconds} on a connection of its own. */
    private static CompletableFuture<Void> longWrite(SnapshotHost host, int id, int seconds) {
        return CompletableFuture.runAsync(() -> {
            try {
                host.sql("INSERT IGNORE INTO app.t VALUES (" + id + ", 'x')",
                        "UPDATE app.t SET v = CONCAT(v, SLEEP(" + seconds + ")) WHERE id = " + id);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterAll
    static void stop() {
        HOSTS.values().forEach(SnapshotHost::close);
        HOSTS.clear();
    }

    private static Config parse(SnapshotHost host, String yaml) {
        return ConfigLoader.parse(yaml, host.dir.resolve("zmsnap.yaml"));
    }

    private static CycleOutcome cycle(Config cfg, String policy) {
        try (AgentContext ctx = new AgentContext(cfg)) {
            return ctx.snapshotCycle().run(policy);
        }
    }

    @ParameterizedTest
    @EnumSource(TestMariaDb.class)
    void aLongRunningWriteMakesFtwrlBackOffInsteadOfStallingWriters(TestMariaDb generation) throws Exception {
        SnapshotHost host = host(generation);
        // A long UPDATE: FTWRL would queue behind it and every new write behind FTWRL.
        CompletableFuture<Void> longWrite = longWrite(host, 999999, 4);
        Thread.sleep(400);
        CompletableFuture<CycleOutcome> cycle = CompletableFuture.supplyAsync(() ->
                cycle(parse(host, host.yaml("ftwrl", "1s", "skip", "zfs", "")), "manual"));
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

    /**
     * {@code quiesce: auto} takes BACKUP STAGE on every generation here (all 10.4+), and a long UPDATE running when the
     * cycle starts neither delays the lock (FTWRL would queue behind it and every writer behind FTWRL) nor makes the
     * cycle back off: the set is consistent and records the lock it was taken with.
     */
    @ParameterizedTest
    @EnumSource(TestMariaDb.class)
    void autoTakesBackupStageWhichALongWriteDoesNotDelay(TestMariaDb generation) throws Exception {
        SnapshotHost host = host(generation);
        CompletableFuture<Void> longWrite = longWrite(host, 999997, 3);
        Thread.sleep(400);
        String yaml = host.yaml("auto", "1s", "skip", "zfs", "");
        CycleOutcome out = cycle(parse(host, yaml), "manual");
        boolean writeStillRunning = !longWrite.isDone();
        longWrite.get(30, TimeUnit.SECONDS);
        SetReport r = assertInstanceOf(CycleOutcome.Taken.class, out, out.toString()).report();
        assertTrue(writeStillRunning, "the cycle ended while the long write still ran");
        assertTrue(r.consistent(), r.note());
        assertEquals(org.zmsnap.config.QuiesceMethod.BACKUP_STAGE, r.quiesce());
        assertEquals(1, r.attempts(), "no back-off");
        assertTrue(r.acquireMicros() < 300_000, "had at once: " + r.acquireMicros() + " µs");
        assertEquals("backup-stage", host.userProps(host.pool.dataset("db") + "@" + r.tag().name()).get("org.zmsnap:quiesce"));
        assertNoLockHeld(host);
    }

    @ParameterizedTest
    @EnumSource(TestMariaDb.class)
    void anIdleTableLockTheProcessListCannotSeeIsBoundedServerSide(TestMariaDb generation) throws Exception {
        SnapshotHost host = host(generation);
        // An idle session holding LOCK TABLES ... WRITE shows as 'Sleep': the pre-flight cannot see it, FTWRL
        // waits for it, and every writer queues behind FTWRL. Only max_statement_time bounds that wait.
        host.sql("CREATE TABLE IF NOT EXISTS app.other (id BIGINT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB");
        try (Connection holder = host.db.connect(); Statement s = holder.createStatement()) {
            s.execute("LOCK TABLES app.t WRITE");
            CompletableFuture<CycleOutcome> cycle = CompletableFuture.supplyAsync(() ->
                    cycle(parse(host, host.yaml("ftwrl", "1s", "skip", "zfs", "")), "manual"));
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
        assertFlushSettingRestored(host); // raised to 1 for the pre-flush before each attempt, and put back
    }

    @ParameterizedTest
    @EnumSource(TestMariaDb.class)
    void backupStageIsBoundedWhenAnotherBackupHoldsIt(TestMariaDb generation) throws Exception {
        SnapshotHost host = host(generation);
        // mariabackup (or a second tool) holding BACKUP STAGE: ours must give up within the budget, not wait.
        try (Connection other = host.db.connect(); Statement s = other.createStatement()) {
            s.execute("BACKUP STAGE START");
            long t = System.nanoTime();
            CycleOutcome out = cycle(parse(host, host.yaml("backup-stage", "1s", "skip", "zfs", "")), "manual");
            long ms = (System.nanoTime() - t) / 1_000_000;
            CycleOutcome.Skipped skipped = assertInstanceOf(CycleOutcome.Skipped.class, out, out.toString());
            assertTrue(skipped.reason().contains("BACKUP STAGE"), skipped.reason());
            assertTrue(ms < 5_000, "gave up after " + ms + " ms (retry window 1 s)");
            s.execute("BACKUP STAGE END");
        }
        assertNoLockHeld(host);
        assertFlushSettingRestored(host);
    }

    /**
     * The lock ends at its budget even when the watchdog's own connection is gone (killed here from outside, as a
     * broken network or a server-side kill would): the watchdog cannot send its KILL, so it aborts the lock session's
     * socket and the server drops the session with its lock. Zimbra's flush setting, raised for the cycle, is put back
     * on a new connection, since neither of the cycle's own is left. The budget of 1.5 s sets the server's own
     * dead-man switch ({@code wait_timeout}) to 2 s: a writer let go well before that was let go by the watchdog.
     */
    @ParameterizedTest
    @EnumSource(TestMariaDb.class)
    void theLockEndsAtItsBudgetWhenTheWatchdogsConnectionIsGone(TestMariaDb generation) throws Exception {
        SnapshotHost host = host(generation);
        host.sql("INSERT IGNORE INTO app.t VALUES (999996, 'x')");
        for (String method : List.of("ftwrl", "backup-stage")) {
            long newestBefore = newestSession(host);
            long[] writerWaited = new long[1];
            Quiesced<Long> out;
            try (AgentContext ctx = new AgentContext(parse(host, host.yaml(method, "1500ms", "skip", "zfs", "")));
                 Connection admin = host.db.connect(); Statement s = admin.createStatement()) {
                out = ctx.quiescer().run(remaining -> {
                    // The run's two sessions are this account's opened since; the control connection is opened first.
                    List<Long> opened = new java.util.ArrayList<>();
                    try (ResultSet rs = s.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE ID > " + newestBefore
                            + " AND ID <> CONNECTION_ID() AND USER = (SELECT USER FROM information_schema.PROCESSLIST"
                            + " WHERE ID = CONNECTION_ID()) ORDER BY ID")) {
                        while (rs.next()) {
                            opened.add(rs.getLong(1));
                        }
                    }
                    assertEquals(2, opened.size(), "the run's control and lock sessions: " + opened);
                    s.execute("KILL CONNECTION " + opened.get(0));
                    long t = System.nanoTime();
                    // a change each time: a statement that changes nothing commits past BACKUP STAGE BLOCK_COMMIT
                    host.sql("UPDATE app.t SET v = CONCAT('w', RAND()) WHERE id = 999996"); // waits for the lock to end
                    writerWaited[0] = (System.nanoTime() - t) / 1_000_000;
                    Thread.sleep(1_000); // the action goes on past the budget; the hold must not
                    return writerWaited[0];
                });
            }
            LockOutcome.Held held = assertInstanceOf(LockOutcome.Held.class, out.lock(), out.toString());
            assertTrue(out.failure().isEmpty(), out.toString());
            assertFalse(held.heldThroughout(), "the lock ended before the action did");
            assertTrue(held.holdMicros() < 1_500_000, method + ": writers were let go within the 1.5 s budget, held "
                    + held.holdMicros() + " µs");
            assertTrue(writerWaited[0] > 1_000 && writerWaited[0] < 1_800, method + ": a writer waited for the lock and was "
                    + "let go at the budget (1.45 s), before wait_timeout (2 s) would have: " + writerWaited[0] + " ms");
            assertNoLockHeld(host);
            assertFlushSettingRestored(host);
        }
    }

    /** The id of the newest session now: the server numbers new sessions upwards. */
    private static long newestSession(SnapshotHost host) throws Exception {
        try (Connection c = host.db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @ParameterizedTest
    @EnumSource(TestMariaDb.class)
    void withoutTheLockCrashConsistentTakesASetMarkedNotConsistent(TestMariaDb generation) throws Exception {
        SnapshotHost host = host(generation);
        CompletableFuture<Void> longWrite = longWrite(host, 999998, 3);
        Thread.sleep(400);
        CycleOutcome out = cycle(parse(host, host.yaml("ftwrl", "1s", "crash-consistent", "zfs", "")), "manual");
        longWrite.get(30, TimeUnit.SECONDS);
        SetReport r = assertInstanceOf(CycleOutcome.Taken.class, out, out.toString()).report();
        assertFalse(r.consistent());
        assertEquals("no", host.userProps(host.pool.dataset("db") + "@" + r.tag().name()).get("org.zmsnap:consistent"));
    }

    @ParameterizedTest
    @EnumSource(TestMariaDb.class)
    void badInputTakesNoSnapshotAndLeavesNoLock(TestMariaDb generation) throws Exception {
        SnapshotHost host = host(generation);
        List<String> before = host.snapshots();
        String good = host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "");

        String unknownDataset = good.replace(host.pool.dataset("index"), host.pool.name() + "/zimbra/nosuch");
        CycleOutcome.Failed f1 = assertInstanceOf(CycleOutcome.Failed.class, cycle(parse(host, unknownDataset), "manual"));
        assertTrue(f1.reason().contains("nosuch") && f1.reason().contains("do not exist"), f1.reason());

        Path wrongPw = host.dir.resolve("wrong.password");
        java.nio.file.Files.writeString(wrongPw, "not-the-password\n");
        java.nio.file.Files.setPosixFilePermissions(wrongPw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        CycleOutcome.Failed f2 = assertInstanceOf(CycleOutcome.Failed.class,
                cycle(parse(host, good.replace(host.db.passwordFile().toString(), wrongPw.toString())), "manual"));
        assertTrue(f2.reason().contains("access denied"), f2.reason());

        CycleOutcome.Failed f3 = assertInstanceOf(CycleOutcome.Failed.class,
                cycle(parse(host, good.replace(host.db.socket().toString(), "/nonexistent/mysql.sock")), "manual"));
        assertTrue(f3.reason().contains("/nonexistent/mysql.sock") && f3.reason().contains("does not exist"), f3.reason());

        assertEquals(before, host.snapshots(), "no snapshot taken on bad input");
        assertNoLockHeld(host);
    }

    /**
     * The privilege rule against each version's real grant system: an account given exactly what readiness asks
     * for takes a consistent set, and one without SUPER is told it lacks SUPER, and its cycle fails.
     */
    @ParameterizedTest
    @EnumSource(TestMariaDb.class)
    void anAccountWithExactlyTheNamedPrivilegesTakesASetAndOneWithoutIsToldWhatItLacks(TestMariaDb generation)
            throws Exception {
        SnapshotHost host = host(generation);
        for (String method : List.of("ftwrl", "backup-stage")) {
            String user = "zq" + method.charAt(0);
            Path pw = host.dir.resolve(user + ".password");
            java.nio.file.Files.writeString(pw, "pw-" + user + "\n");
            java.nio.file.Files.setPosixFilePermissions(pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            for (String h : List.of("localhost", "127.0.0.1")) {
                host.sql("CREATE USER IF NOT EXISTS '" + user + "'@'" + h + "' IDENTIFIED BY 'pw-" + user + "'");
            }
            String yaml = host.yaml(method, "2s", "skip", "zfs", "")
                    .replace("user: root", "user: " + user)
                    .replace(host.db.passwordFile().toString(), pw.toString());
            QuiesceReadiness before;
            try (AgentContext ctx = new AgentContext(parse(host, yaml))) {
                before = ctx.quiescer().readiness();
            }
            assertTrue(before.missing().stream().map(Privileges.Need::name).toList().contains("SUPER"), before.toString());
            CycleOutcome refused = cycle(parse(host, yaml), "manual");
            assertFalse(refused instanceof CycleOutcome.Taken, "no SUPER, no set: " + refused);

            for (String h : List.of("localhost", "127.0.0.1")) {
                host.sql(Privileges.grantStatement(before.needed(), user + "@" + h));
                // and what zmsnap check's data-paths line asks for: the coverage check reads zimbra.volume (this host
                // has no Zimbra schema, and a grant on a table needs the table, so the database's level is given)
                host.sql(Privileges.grantStatement("SELECT", "zimbra.*", user + "@" + h));
            }
            try (AgentContext ctx = new AgentContext(parse(host, yaml))) {
                QuiesceReadiness after = ctx.quiescer().readiness();
                assertEquals(List.of(), after.missing(), after.account() + " on " + after.server());
            }
            SetReport r = assertInstanceOf(CycleOutcome.Taken.class, cycle(parse(host, yaml), "manual"),
                    generation + " " + method).report();
            assertTrue(r.consistent(), r.note());
        }
        assertFlushSettingRestored(host);
    }

    private static void assertFlushSettingRestored(SnapshotHost host) throws Exception {
        try (Connection c = host.db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@global.innodb_flush_log_at_trx_commit")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "Zimbra's setting (0) is back after the cycle");
        }
        assertFalse(java.nio.file.Files.exists(host.workDir().resolve("cycle.lock.flush-setting")), "and its record removed");
    }

    private static void assertNoLockHeld(SnapshotHost host) throws Exception {
        long t = System.nanoTime();
        host.sql("INSERT IGNORE INTO app.t VALUES (300000 + FLOOR(RAND() * 1000000), 'after')");
        assertTrue((System.nanoTime() - t) / 1_000_000 < 500, "writes are not blocked");
    }


}
