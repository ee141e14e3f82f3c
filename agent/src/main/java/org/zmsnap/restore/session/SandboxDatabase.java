package org.zmsnap.restore.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.zmsnap.exec.BackgroundProcess;
import org.zmsnap.zimbra.RestoreException;

/**
 * A private mariadbd on a cloned datadir: no networking, its own socket, no grant tables (the clone's
 * passwords are the live server's, which zmsnap need not know; only root on this host reaches the socket).
 * InnoDB's crash recovery runs here, on the writable clone, never on the snapshot.
 */
public final class SandboxDatabase {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SandboxDatabase.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** The sandbox's InnoDB buffer pool: room for a recovery in one batch, never the live server's memory. */
    static final String BUFFER_POOL = "256M";

    private SandboxDatabase() {}

    public static Path socket(Path sessionDir) {
        return sessionDir.resolve("mysql.sock");
    }

    /**
     * The sandboxes started on this session directory, found by the socket in their command line. The session
     * file names the server only once {@code start} has saved its pid: a run killed (SIGKILL, no hook) between the
     * launch and that save leaves a server nobody recorded, and it keeps the db clone busy until it is stopped.
     */
    public static List<Long> runningOn(Path sessionDir) {
        return BackgroundProcess.withArgument("--socket=" + socket(sessionDir)).stream().map(BackgroundProcess::pid).toList();
    }

    public static BackgroundProcess start(Path mariadbd, Path datadir, Path sessionDir) {
        return start(mariadbd, datadir, sessionDir, pid -> { });
    }

    /**
     * @param started told the server's pid as soon as the process exists, before it is ready: InnoDB recovery on
     *                a real Zimbra database can take minutes, and a run killed meanwhile must still be cleanable
     */
    public static BackgroundProcess start(Path mariadbd, Path datadir, Path sessionDir, java.util.function.LongConsumer started) {
        return start(List.of(), mariadbd, datadir, sessionDir, started);
    }

    /**
     * @param launcher programs that exec the server, e.g. {@code nice -n 10 ionice -c 2 -n 7} for a restore drill
     *                 (the pid stays the server's: each execs the next); empty for a restore, which runs at normal
     *                 priority because someone is waiting for it
     */
    public static BackgroundProcess start(List<String> launcher, Path mariadbd, Path datadir, Path sessionDir,
                                          java.util.function.LongConsumer started) {
        if (!Files.isExecutable(mariadbd)) {
            throw new RestoreException("restore.mariadbd " + mariadbd + " is not an executable file");
        }
        if (!Files.isDirectory(datadir.resolve("mysql"))) {
            throw new RestoreException("the cloned datadir " + datadir + " has no 'mysql' directory: is restore.datadir right?");
        }
        Path tmp = sessionDir.resolve("tmp");
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new RestoreException("cannot create " + tmp + ": " + e.getMessage(), e);
        }
        Path socket = socket(sessionDir);
        List<String> argv = new java.util.ArrayList<>(launcher);
        argv.addAll(List.of(mariadbd.toString(), "--no-defaults", "--user=root",
                "--datadir=" + datadir,
                "--socket=" + socket,
                "--skip-networking",
                "--skip-grant-tables",
                "--pid-file=" + sessionDir.resolve("mariadbd.pid"),
                "--log-error=" + sessionDir.resolve("mariadbd.err"),
                "--tmpdir=" + tmp,
                // InnoDB's crash recovery holds the parsed redo log and the pages it rebuilds here: when they do not
                // fit it recovers in several batches, writing each batch's pages through FUSE before the next one
                // (2 batches and 2.4 s for 37 MB of redo with 32 MB; docs/benchmarks.md, verify). The pool is only
                // touched as it is used: a clone with little to recover, and a browse, stay small.
                "--innodb-buffer-pool-size=" + BUFFER_POOL,
                "--innodb-flush-log-at-trx-commit=0",
                "--skip-log-bin",
                // The clone is destroyed afterwards: no buffer pool dump to load or write, and a shutdown that
                // skips the final flush loses nothing. --loose- because Zimbra's older mariadbd may not know them.
                "--loose-innodb-buffer-pool-load-at-startup=OFF",
                "--loose-innodb-buffer-pool-dump-at-shutdown=OFF",
                "--loose-innodb-fast-shutdown=2",
                // ibtmp1 is recreated at every start and written out in full: 12 MB through FUSE by default.
                "--loose-innodb-temp-data-file-path=ibtmp1:1M:autoextend",
                "--skip-slave-start",
                "--character-set-server=utf8mb4",
                "--collation-server=utf8mb4_general_ci"));
        logFileSize(datadir).ifPresent(size -> argv.add("--innodb-log-file-size=" + size));
        long t0 = System.nanoTime();
        BackgroundProcess p = BackgroundProcess.start(argv, sessionDir.resolve("mariadbd.out"));
        started.accept(p.pid());
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        long socketSeen = 0;
        warmUp(socket);
        while (true) {
            if (!p.alive()) {
                throw new SandboxStartException("the sandbox mariadbd on " + datadir + " exited at start:\n" + errorTail(sessionDir));
            }
            if (Files.exists(socket)) {
                socketSeen = socketSeen == 0 ? System.nanoTime() : socketSeen;
                try (Connection c = connect(socket)) {
                    long now = System.nanoTime();
                    LOG.debug("sandbox mariadbd on {}: socket after {} ms, connected after {} ms", datadir,
                            (socketSeen - t0) / 1_000_000, (now - t0) / 1_000_000);
                    return p;
                } catch (SQLException e) {
                    // still starting
                }
            }
            if (System.nanoTime() > deadline) {
                p.stop(Duration.ZERO);
                throw new SandboxStartException("the sandbox mariadbd on " + datadir + " did not start within "
                        + START_TIMEOUT.toSeconds() + " s:\n" + errorTail(sessionDir));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                p.stop(Duration.ZERO);
                Thread.currentThread().interrupt();
                throw new RestoreException("interrupted while the sandbox mariadbd started");
            }
        }
    }

    /**
     * One connection attempt while the server has not yet made its socket: it fails at once, but it loads the
     * JDBC driver's classes (about 0.1 s in a fresh JVM) while mariadbd recovers, not after it is ready.
     */
    private static void warmUp(Path socket) {
        if (!Files.exists(socket)) {
            try (Connection c = connect(socket)) {
                // made it already: nothing to warm up
            } catch (SQLException e) {
                // expected: no socket yet
            }
        }
    }

    /**
     * The clone's redo log size, passed on so the sandbox does not resize it: a resize writes a whole new log file
     * (through FUSE on zfs-fuse; Zimbra's my.cnf sets 500 MB) before the server accepts connections. The log is the
     * live server's own, so its size suits that server; odd sizes (not whole MiB, under 4 MiB) are left to the default.
     */
    static java.util.Optional<Long> logFileSize(Path datadir) {
        try {
            long size = Files.size(datadir.resolve("ib_logfile0"));
            long mib = 1024L * 1024;
            return size >= 4 * mib && size % mib == 0 ? java.util.Optional.of(size) : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    public static Connection connect(Path socket) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "root");
        p.setProperty("password", "");
        p.setProperty("connectTimeout", "5000");
        return DriverManager.getConnection("jdbc:mariadb://localhost/?localSocket=" + socket, p);
    }

    /** The last lines of the sandbox's error log in {@code sessionDir}. */
    public static String errorTail(Path sessionDir) {
        try {
            List<String> lines = Files.readAllLines(sessionDir.resolve("mariadbd.err"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no error log in " + sessionDir + ")";
        }
    }
}
