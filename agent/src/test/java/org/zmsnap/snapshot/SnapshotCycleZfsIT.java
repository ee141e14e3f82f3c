package org.zmsnap.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.zmsnap.AgentContext;
import org.zmsnap.ZfsReach;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.DbOnZfs;
import org.zmsnap.fixtures.MariaDbServer;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.TestMariaDb;
import org.zmsnap.fixtures.TestZfs;
import org.zmsnap.fixtures.ZimbraZfsHost;

/**
 * The snapshot cycle on every ZFS flavour (-Dzfs) and every MariaDB generation (-Dmariadb): this machine's zfs-fuse
 * (one recursive snapshot) with its own mariadbd and with MariaDB 10.5, 10.11 and 11.8 in containers, and OpenZFS
 * 2.x in the KVM guest (one multi-name snapshot call) with the guest's server, which zmsnap drives over its own SSH
 * runner. The lock back-off, bounds and bad input are in {@link SnapshotCycleIT}.
 */
class SnapshotCycleZfsIT {
    private static final Map<DbOnZfs, ZimbraZfsHost> HOSTS = new java.util.HashMap<>();
    private static final Map<DbOnZfs, ZfsReach> REACH = new java.util.HashMap<>();

    static List<DbOnZfs> cells() {
        return DbOnZfs.matrix();
    }

    /** One host per cell for the whole class (the OpenZFS guest boots once per JVM). */
    static ZimbraZfsHost host(DbOnZfs zfs) throws Exception {
        zfs.require();
        ZimbraZfsHost h = HOSTS.get(zfs);
        if (h == null) {
            h = zfs.snapshotHost();
            HOSTS.put(zfs, h);
            REACH.put(zfs, ZfsReach.of(h.zfsPool()));
            h.sql("CREATE DATABASE IF NOT EXISTS app",
                    "CREATE TABLE IF NOT EXISTS app.t (id INT PRIMARY KEY, v VARCHAR(64)) ENGINE=InnoDB");
        }
        return h;
    }

    @AfterAll
    static void stop() {
        REACH.values().forEach(ZfsReach::close);
        HOSTS.values().forEach(ZimbraZfsHost::close);
        REACH.clear();
        HOSTS.clear();
    }

    private static CycleOutcome cycle(DbOnZfs zfs, String yaml, String policy) {
        ZimbraZfsHost h = HOSTS.get(zfs);
        Config cfg = ConfigLoader.parse(yaml, h.workDir().resolve("zmsnap.yaml"));
        try (AgentContext ctx = new AgentContext(cfg, REACH.get(zfs).runner())) {
            return ctx.snapshotCycle().run(policy);
        }
    }

    @ParameterizedTest
    @MethodSource("cells")
    void ftwrlTakesOneAtomicConsistentSetWithMetadataOnEveryDataset(DbOnZfs zfs) throws Exception {
        ZimbraZfsHost host = host(zfs);
        CycleOutcome out = cycle(zfs, host.yaml("ftwrl", "2s", "crash-consistent", "zfs", ""), "manual");
        SetReport r = assertInstanceOf(CycleOutcome.Taken.class, out, out.toString()).report();
        assertTrue(r.consistent(), r.note());
        if (zfs.zfs() == TestZfs.OPENZFS) {
            assertEquals(SnapshotPlan.Kind.MULTI_NAME, r.method(), "OpenZFS: one 'zfs snapshot a@t b@t ...' call");
        } else {
            assertEquals(SnapshotPlan.Kind.RECURSIVE, r.method(), "zfs-fuse: -r on the common parent");
        }
        assertTrue(r.holdMicros() < 2_000_000, "held within the budget: " + r.holdMicros());
        // Outside the window: the txg sync and the redo pre-flush (flush setting 0) ran before the lock.
        assertTrue(r.steps().beforeAcquireMicros() > 0 && r.steps().preflushMicros() > 0, r.steps().toString());
        assertTrue(r.steps().insideMicros() <= r.holdMicros(), "the hold's steps fit in the hold: " + r.steps() + " " + r.holdMicros());
        assertTrue(r.snapshotMicros() <= r.steps().actionMicros(), r.steps() + " snapshot " + r.snapshotMicros());
        List<String> snaps = host.snapshots().stream().filter(s -> s.endsWith("@" + r.tag().name())).toList();
        assertEquals(4, snaps.size(), "exactly the four datasets (no parent snapshot left): " + snaps);
        // Atomic means one transaction group: every snapshot of the set has the same createtxg.
        List<String> txgs = createTxgs(host, snaps);
        assertEquals(1, txgs.size(), "one txg for the whole set: " + txgs);
        for (String s : snaps) {
            Map<String, String> p = host.userProps(s);
            assertEquals("yes", p.get("org.zmsnap:consistent"), s + " " + p);
            assertEquals("ftwrl", p.get("org.zmsnap:quiesce"));
            assertEquals("manual", p.get("org.zmsnap:policy"));
            assertEquals("testhost", p.get("org.zmsnap:host"));
            assertEquals("yes", p.get("org.zmsnap:redo-flushed"), "Zimbra's flush setting 0 means the redo log is flushed");
            assertTrue(p.containsKey("org.zmsnap:innodb-lsn"), p.toString());
        }
        assertFlushSettingRestored(host);
    }

    @ParameterizedTest
    @MethodSource("cells")
    void backupStageTakesAConsistentSet(DbOnZfs zfs) throws Exception {
        ZimbraZfsHost host = host(zfs);
        CycleOutcome out = cycle(zfs, host.yaml("backup-stage", "2s", "crash-consistent", "zfs", ""), "manual");
        SetReport r = assertInstanceOf(CycleOutcome.Taken.class, out, out.toString()).report();
        assertTrue(r.consistent(), r.note());
        assertEquals("backup-stage", host.userProps(host.zfsPool().dataset("store") + "@" + r.tag().name()).get("org.zmsnap:quiesce"));
        assertFlushSettingRestored(host);
    }

    @ParameterizedTest
    @MethodSource("cells")
    void everyRowCommittedBeforeTheSnapshotIsInTheCloneDespiteFlushLogZero(DbOnZfs zfs) throws Exception {
        ZimbraZfsHost host = host(zfs);
        host.sql("DELETE FROM app.t");
        try (Connection c = host.connectDb(); Statement s = c.createStatement()) {
            for (int i = 0; i < 96; i++) {
                s.execute("INSERT INTO app.t VALUES (" + i + ", 'row" + i + "')");
            }
        }
        // At once, as the reference measured: without the flush the clone held 0 of 96 rows.
        SetReport r = assertInstanceOf(CycleOutcome.Taken.class,
                cycle(zfs, host.yaml("ftwrl", "2s", "crash-consistent", "zfs", ""), "manual")).report();
        long rows = host.countInSnapshot(host.zfsPool().dataset("db") + "@" + r.tag().name(), "SELECT COUNT(*) FROM app.t");
        assertEquals(96, rows, "every committed row is in the snapshot");
    }

    /**
     * A hung snapshot: writers are let go at the lock budget (1 s); the cycle waits for the snapshot up to
     * {@code zfs.timeout} (3 s here), kills it and fails, leaving no snapshot of its tag.
     */
    @ParameterizedTest
    @MethodSource("cells")
    void aHangingZfsCallReleasesTheLockWithinBudgetAndLeavesNoPartialSet(DbOnZfs zfs) throws Exception {
        ZimbraZfsHost host = host(zfs);
        String yaml = host.yaml("ftwrl", "1s", "crash-consistent", host.hangingZfsCommand(), "", "  timeout: 3s\n");
        List<String> before = host.snapshots();
        CompletableFuture<CycleOutcome> running = CompletableFuture.supplyAsync(() -> cycle(zfs, yaml, "manual"));
        long waitedMs = writeWhileTheCycleHoldsTheLock(zfs, host, "during hang");
        CycleOutcome out = running.get(60, TimeUnit.SECONDS);
        CycleOutcome.Failed f = assertInstanceOf(CycleOutcome.Failed.class, out, out.toString());
        assertTrue(f.reason().contains("did not finish within"), f.reason());
        assertTrue(waitedMs < 1_200, "a writer waited " + waitedMs + " ms; budget 1 s");
        assertEquals(before, host.snapshots(), "no snapshot of the failed set remains");
    }

    /**
     * A snapshot slower than the lock budget (a pool slow to sync): writers are let go at the budget, the snapshot is
     * not killed, and the set it makes after the lock is kept as what it is, one instant of every dataset taken while
     * writes went on: crash-consistent, marked so, without positions (read under the lock, they describe an earlier
     * instant). A mariadbd started on its clone recovers and finds the row a writer committed after the lock. Once per
     * ZFS flavour (a multi-name call, a recursive one): the lock's side is the hanging call's test, on every generation.
     */
    @ParameterizedTest
    @MethodSource("oneCellPerZfs")
    void aSnapshotSlowerThanTheLockBudgetKeepsACrashConsistentSetAndLetsWritersGoAtTheBound(DbOnZfs zfs) throws Exception {
        ZimbraZfsHost host = host(zfs);
        String yaml = host.yaml("ftwrl", "1s", "crash-consistent", host.slowSnapshotZfsCommand(java.time.Duration.ofMillis(2500)), "");
        CompletableFuture<CycleOutcome> running = CompletableFuture.supplyAsync(() -> cycle(zfs, yaml, "manual"));
        long waitedMs = writeWhileTheCycleHoldsTheLock(zfs, host, "during slow snapshot");
        CycleOutcome out = running.get(60, TimeUnit.SECONDS);
        SetReport r = assertInstanceOf(CycleOutcome.Taken.class, out, out.toString()).report();
        assertTrue(waitedMs < 1_200, "a writer waited " + waitedMs + " ms; budget 1 s");
        assertFalse(r.consistent(), r.toString());
        assertTrue(r.note().contains("crash-consistent") && r.note().contains("lock budget 1000 ms"), r.note());
        assertTrue(r.holdMicros() < 1_000_000, "the hold ends at the watchdog's kill: " + r.holdMicros());
        assertTrue(r.snapshotMicros() >= 2_500_000, "the snapshot ran on after the lock: " + r.snapshotMicros());
        assertTrue(r.positions().isEmpty(), r.toString());
        List<String> snaps = host.snapshots().stream().filter(s -> s.endsWith("@" + r.tag().name())).toList();
        assertEquals(4, snaps.size(), "the whole set: " + snaps);
        List<String> txgs = createTxgs(host, snaps);
        assertEquals(1, txgs.size(), "still one instant: " + txgs);
        for (String s : snaps) {
            Map<String, String> p = host.userProps(s);
            assertEquals("no", p.get("org.zmsnap:consistent"), s + " " + p);
            assertTrue(p.get("org.zmsnap:note").contains("crash-consistent"), p.toString());
            assertFalse(p.containsKey("org.zmsnap:innodb-lsn") || p.containsKey("org.zmsnap:gtid")
                    || p.containsKey("org.zmsnap:redo-flushed"), "no positions: " + p);
        }
        long rows = host.countInSnapshot(host.zfsPool().dataset("db") + "@" + r.tag().name(),
                "SELECT COUNT(*) FROM app.t WHERE v = 'during slow snapshot'");
        assertEquals(1, rows, "the write made after the lock, before the snapshot, is in the recovered clone");
        assertFlushSettingRestored(host);
    }

    /** The distinct transaction groups the snapshots were created in: one for an atomic set. */
    private static List<String> createTxgs(ZimbraZfsHost host, List<String> snaps) {
        return snaps.stream()
                .map(s -> host.zfsPool().zfs("get", "-Hp", "-o", "value", "createtxg", s).stdout().strip()).distinct().toList();
    }

    /** One insert, timed, once the cycle is (by now) holding FTWRL and waiting on its zfs wrapper. */
    private static long writeWhileTheCycleHoldsTheLock(DbOnZfs zfs, ZimbraZfsHost host, String value) throws Exception {
        Thread.sleep(zfs.zfs() == TestZfs.OPENZFS ? 800 : 300);
        long t = System.nanoTime();
        host.sql("INSERT INTO app.t VALUES (100000 + FLOOR(RAND() * 1000000), '" + value + "')");
        return (System.nanoTime() - t) / 1_000_000;
    }

    static List<DbOnZfs> oneCellPerZfs() {
        return DbOnZfs.matrix().stream().filter(c -> c.mariadb() == TestMariaDb.LOCAL).toList();
    }

    static List<DbOnZfs> localZfsCells() {
        return DbOnZfs.matrix().stream().filter(c -> c.zfs() == TestZfs.FUSE).toList();
    }

    /** With a binlog the set records the position; the statement that reads it differs by version (10.5.2+). */
    @ParameterizedTest
    @MethodSource("localZfsCells")
    void theBinlogPositionIsRecordedWithTheSet(DbOnZfs cell) throws Exception {
        cell.require();
        try (SnapshotHost h = new SnapshotHost("1G", cell.mariadb(), MariaDbServer.Options.zimbraDefaults().withBinlog(true));
             ZfsReach reach = ZfsReach.of(h.zfsPool())) {
            h.sql("CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY) ENGINE=InnoDB", "INSERT INTO app.t VALUES (1)");
            Config cfg = ConfigLoader.parse(h.yaml("backup-stage", "2s", "crash-consistent", "zfs", ""),
                    h.workDir().resolve("zmsnap.yaml"));
            CycleOutcome out;
            try (AgentContext ctx = new AgentContext(cfg, reach.runner())) {
                out = ctx.snapshotCycle().run("manual");
            }
            SetReport r = assertInstanceOf(CycleOutcome.Taken.class, out, out.toString()).report();
            String position = h.userProps(h.zfsPool().dataset("db") + "@" + r.tag().name()).get(SnapshotProperties.BINLOG);
            String file;
            long pos;
            try (Connection c = h.connectDb(); ResultSet rs = c.createStatement().executeQuery("SHOW MASTER STATUS")) {
                rs.next();
                file = rs.getString(1);
                pos = rs.getLong(2);
            }
            assertEquals(file + ":" + pos, position, "nothing was written since the set, so its position is the current one");
        }
    }

    private static void assertFlushSettingRestored(ZimbraZfsHost host) {
        try (Connection c = host.connectDb(); ResultSet rs = c.createStatement().executeQuery("SELECT @@global.innodb_flush_log_at_trx_commit")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "Zimbra's setting restored after the flush");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
