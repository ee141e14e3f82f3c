package org.zmsnap.bench;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The minimal snapshot cycle of issue 11, with no zmsnap code: one client session doing FLUSH TABLES WITH READ LOCK,
 * SET GLOBAL innodb_flush_log_at_trx_commit = 1, FLUSH NO_WRITE_TO_BINLOG ENGINE LOGS, {@code zfs snapshot -r
 * parent@tag} through the zfs CLI, the setting restored, UNLOCK TABLES — nothing else.
 *
 * <p>"The client" is a JDBC session (MariaDB Connector/J) opened once for the whole run, like a {@code mariadb}
 * client already connected: driving the {@code mariadb} CLI would put its own process start and a shell (for
 * {@code \! zfs ...}) inside the window, and timing its window from outside would add pipe round trips. The zfs CLI is
 * started with a bare {@link ProcessBuilder}, the cheapest way this JVM has. The hold is timed like zmsnap's: from
 * the lock statement's return to UNLOCK's return.
 */
final class MinimalBaseline implements AutoCloseable {
    /** One run's times in ms: {@code hold} from FTWRL returned to UNLOCK returned. */
    record Times(double acquireMs, double holdMs, double flushMs, double snapshotMs, double restoreAndUnlockMs) {}

    private final Connection session;
    private final String parent;
    private final int flushSetting;

    MinimalBaseline(Connection session, String parent) throws SQLException {
        this.session = session;
        this.parent = parent;
        try (Statement s = session.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@global.innodb_flush_log_at_trx_commit")) {
            rs.next();
            this.flushSetting = rs.getInt(1);
            // Once per session, outside every window: MariaDB's default would let FTWRL wait a day. Under a delivery
            // load FTWRL can wait on a write that waits on a row lock held by a transaction FTWRL blocks; only a
            // timeout ends that (zmsnap bounds its FTWRL the same way and checks the process list first).
            s.execute("SET SESSION lock_wait_timeout = 1");
        }
    }

    /** One cycle; empty when FTWRL was not had within the session's lock_wait_timeout (then nothing was held). */
    java.util.Optional<Times> run(String tag) throws Exception {
        try (Statement s = session.createStatement()) {
            long t0 = System.nanoTime();
            try {
                s.execute("FLUSH TABLES WITH READ LOCK");
            } catch (SQLException e) {
                if (e.getErrorCode() == 1205) {
                    return java.util.Optional.empty();
                }
                throw e;
            }
            long t1 = System.nanoTime();
            long t2;
            long t3;
            String output;
            int exit;
            try {
                s.execute("SET GLOBAL innodb_flush_log_at_trx_commit = 1");
                s.execute("FLUSH NO_WRITE_TO_BINLOG ENGINE LOGS");
                t2 = System.nanoTime();
                Process p = new ProcessBuilder("zfs", "snapshot", "-r", parent + "@" + tag).redirectErrorStream(true).start();
                output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                exit = p.waitFor();
                t3 = System.nanoTime();
                s.execute("SET GLOBAL innodb_flush_log_at_trx_commit = " + flushSetting);
            } finally {
                s.execute("UNLOCK TABLES");
            }
            long t4 = System.nanoTime();
            if (exit != 0) {
                throw new IllegalStateException("zfs snapshot -r " + parent + "@" + tag + " failed: " + output.strip());
            }
            return java.util.Optional.of(new Times(ms(t1 - t0), ms(t4 - t1), ms(t2 - t1), ms(t3 - t2), ms(t4 - t3)));
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    @Override
    public void close() throws SQLException {
        session.close();
    }
}
