package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zmsnap.fixtures.Await;
import org.zmsnap.fixtures.SnapshotHost;

/** {@code zmsnap snapshot} and {@code zmsnap snapshots} as separate processes against real zfs-fuse and mariadbd. */
class SnapshotCliIT {
    static SnapshotHost host;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        host = new SnapshotHost();
        host.sql("CREATE DATABASE app", "CREATE TABLE app.t (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB");
    }

    /** A test cut off (or one that kills a cycle under the lock) leaves neither the raised setting nor its record to the next. */
    @AfterEach
    void siteFlushSetting() throws Exception {
        host.sql("SET GLOBAL innodb_flush_log_at_trx_commit = 0");
        Files.deleteIfExists(record());
    }

    private static Path record() {
        return host.dir.resolve("cycle.lock.flush-setting");
    }

    @AfterAll
    static void stop() {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void snapshotPrintsJsonAndSnapshotsListsIt() throws Exception {
        Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", ""));
        CliRun.Result r = CliRun.run(host.dir, "snapshot", "--config", cfg.toString(), "--policy", "hourly", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals("taken", j.get("result").asText());
        assertTrue(j.get("consistent").asBoolean());
        assertEquals("yes", j.get("coverage").asText());
        assertEquals(4, j.get("datasets").size());
        assertTrue(j.get("hold_ms").asDouble() < 2000);
        String tag = j.get("tag").asText();
        assertTrue(tag.startsWith("zmsnap_hourly_"), tag);

        CliRun.Result list = CliRun.run(host.dir, "snapshots", "--config", cfg.toString(), "--json");
        assertEquals(0, list.exit(), list.err());
        JsonNode sets = JSON.readTree(list.out());
        assertEquals(tag, sets.get(0).get("tag").asText(), "newest first");
        assertEquals("yes", sets.get(0).get("consistent").asText());
        assertTrue(sets.get(0).get("complete").asBoolean());

        CliRun.Result table = CliRun.run(host.dir, "snapshots", "--config", cfg.toString());
        assertTrue(table.out().contains(tag) && table.out().contains("4/4"), table.out());
    }

    @Test
    void configAndUsageErrorsExitTwoWithThePath() {
        Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "  lock-budgte: 1s\n"));
        CliRun.Result r = CliRun.run(host.dir, "snapshot", "--config", cfg.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("mariadb.lock-budgte") && r.err().contains("did you mean 'lock-budget'"), r.err());

        Path good = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", ""));
        CliRun.Result bad = CliRun.run(host.dir, "snapshot", "--config", good.toString(), "--policy", "Bad_Name");
        assertEquals(2, bad.exit(), bad.err());
        assertEquals(2, CliRun.run(host.dir, "snapshot", "--no-such-option").exit());
    }

    @Test
    void aSetThatMissesAZimbraVolumeIsTakenAndMarkedButExitsOne() throws Exception {
        Path outside = java.nio.file.Files.createDirectories(host.dir.resolve("store-outside"));
        try (var c = host.connectDb()) {
            org.zmsnap.fixtures.zimbra.ZimbraSchema.create(c, outside, host.pool.mountpoint(host.pool.dataset("index")));
        }
        try {
            Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", ""));
            CliRun.Result r = CliRun.run(host.dir, "snapshot", "--config", cfg.toString(), "--json");
            assertEquals(1, r.exit(), r.out() + r.err());
            JsonNode j = JSON.readTree(r.out());
            assertEquals("taken", j.get("result").asText());
            assertEquals("no", j.get("coverage").asText());
            assertFalse(j.get("consistent").asBoolean());
            assertTrue(r.err().contains("was taken but may not restore Zimbra (coverage no)") && r.err().contains(outside.toString()),
                    r.err());
            // kept and marked: the set is listed, not consistent
            JsonNode sets = JSON.readTree(CliRun.run(host.dir, "snapshots", "--config", cfg.toString(), "--json").out());
            assertEquals(j.get("tag").asText(), sets.get(0).get("tag").asText());
            assertEquals("no", sets.get(0).get("consistent").asText());

            CliRun.Result text = CliRun.run(host.dir, "snapshot", "--config", cfg.toString());
            assertEquals(1, text.exit(), text.out() + text.err());
            assertTrue(text.out().contains("  coverage: no\n"), text.out());
        } finally {
            host.sql("DROP DATABASE zimbra");
        }
    }

    @Test
    void aFailedCycleExitsOne() {
        Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                .replace(host.pool.dataset("redolog"), host.pool.name() + "/zimbra/gone"));
        CliRun.Result r = CliRun.run(host.dir, "snapshot", "--config", cfg.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("do not exist"), r.err());
    }

    @Test
    void killingZmsnapWhileItHoldsTheLockReleasesWritersAtOnce() throws Exception {
        // A long budget and a hanging zfs: only the kill can release the lock early.
        Path cfg = host.writeConfig(host.yaml("ftwrl", "20s", "crash-consistent", host.hangingZfs().toString(), ""));
        Process zmsnap = CliRun.start(host.dir.resolve("killed.out"), "snapshot", "--config", cfg.toString());
        try {
            Await.until(java.time.Duration.ofSeconds(30), () -> hangingSnapshotRunning(zmsnap),
                    () -> "zmsnap never reached the snapshot under the lock");
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    host.sql("INSERT INTO app.t (v) VALUES ('blocked')");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            assertFalse(writer.isDone(), "the writer is blocked by the lock");
            long t = System.nanoTime();
            // The JVM first: killed after its hanging zfs, it could still release, put the setting back and remove the record.
            java.util.List<ProcessHandle> children = zmsnap.descendants().toList();
            zmsnap.destroyForcibly(); // SIGKILL: no finally blocks run
            children.forEach(ProcessHandle::destroyForcibly);
            writer.get(5, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t) / 1_000_000;
            assertTrue(ms < 1_000, "writer resumed " + ms + " ms after the kill");

            // The kill also cut off putting Zimbra's innodb_flush_log_at_trx_commit = 0 back: the next cycle does it,
            // from the record the killed one left next to the host lock (not by reading 1 as the site's setting).
            zmsnap.waitFor(10, TimeUnit.SECONDS);
            Path record = record();
            assertEquals("1", flushSetting(), "left raised by the killed cycle");
            assertTrue(Files.exists(record), "the killed cycle's record of the site's setting");
            Path normal = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", ""));
            CliRun.Result next = CliRun.run(host.dir, "snapshot", "--config", normal.toString());
            assertEquals(0, next.exit(), next.out() + next.err());
            assertTrue(next.err().contains("an interrupted cycle left innodb_flush_log_at_trx_commit at 1: put back the site's 0"), next.err());
            assertEquals("0", flushSetting(), "the site's setting back");
            assertFalse(Files.exists(record), "and its record gone");
        } finally {
            zmsnap.destroyForcibly();
            zmsnap.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRecordOfAnotherServerLifeIsNotAppliedButRemoved() throws Exception {
        // A cycle cut off before a MariaDB restart: the restarted server took its setting from its configuration (here 1,
        // as an admin may have chosen), which the old record must not overwrite.
        host.sql("SET GLOBAL innodb_flush_log_at_trx_commit = 1");
        long serverId;
        long started;
        try (java.sql.Connection c = host.db.connect(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT @@server_id, UNIX_TIMESTAMP() - (SELECT VARIABLE_VALUE FROM "
                     + "information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'UPTIME')")) {
            rs.next();
            serverId = rs.getLong(1);
            started = rs.getLong(2);
        }
        Files.writeString(record(), "original=0 server_id=" + serverId + " server_started=" + (started - 600) + "\n");
        Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", ""));
        CliRun.Result r = CliRun.run(host.dir, "snapshot", "--config", cfg.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals("1", flushSetting(), "the restarted server's own setting kept");
        assertFalse(Files.exists(record()), "the stale record removed");
        assertFalse(r.err().contains("put back"), r.err());
    }

    @Test
    void aSecondCycleWaitsThenNamesTheHolder() throws Exception {
        Path slow = host.writeConfig(host.yaml("ftwrl", "20s", "crash-consistent", host.hangingZfs().toString(), ""));
        Process first = CliRun.start(host.dir.resolve("first.out"), "snapshot", "--config", slow.toString());
        try {
            Await.until(java.time.Duration.ofSeconds(30), () -> hangingSnapshotRunning(first), () -> "first cycle never started");
            CliRun.Result second = CliRun.run(host.dir, "snapshot", "--config", slow.toString());
            assertEquals(1, second.exit());
            assertTrue(second.err().contains("another zmsnap cycle is running") && second.err().contains("pid " + first.pid()),
                    second.err());
        } finally {
            first.descendants().forEach(ProcessHandle::destroyForcibly);
            first.destroyForcibly();
            first.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private String flushSetting() throws Exception {
        try (java.sql.Connection c = host.db.connect(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT @@global.innodb_flush_log_at_trx_commit")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static boolean hangingSnapshotRunning(Process p) {
        return p.descendants().anyMatch(d -> d.info().commandLine().orElse("").contains("sleep 30"));
    }
}
