package org.zmsnap.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.zmsnap.exec.BackgroundProcess;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;

/**
 * A snapshot set cloned under the restore workdir with a sandbox mariadbd on the cloned datadir. Closing
 * it stops the sandbox, destroys the clones and removes the session directory; a shutdown hook does the
 * same on Ctrl-C. A kept session (zmsnap mount) has no hook and outlives this process.
 */
public final class OpenedSnapshot implements AutoCloseable {
    private final Zfs zfs;
    private final Path dir;
    private volatile RestoreSession session;
    private final OpenTimings timings;
    private Thread hook;
    private boolean closed;
    private boolean borrowed;

    OpenedSnapshot(Zfs zfs, Path dir, RestoreSession session, OpenTimings timings, boolean withHook) {
        this.zfs = zfs;
        this.dir = dir;
        this.session = session;
        this.timings = timings;
        if (withHook) {
            installHook();
        }
    }

    /** A session a {@code zmsnap mount} left open, or a crashed run's leftovers (for closing). */
    public static OpenedSnapshot attach(Zfs zfs, Path dir) {
        return new OpenedSnapshot(zfs, dir, RestoreSession.load(dir), new OpenTimings(0, 0), false);
    }

    /** A session kept open by {@code zmsnap mount}, used by another command: closing it leaves it open. */
    public static OpenedSnapshot borrow(Zfs zfs, Path dir) {
        OpenedSnapshot o = attach(zfs, dir);
        o.borrowed = true;
        return o;
    }

    public boolean borrowed() {
        return borrowed;
    }

    synchronized void installHook() {
        if (hook == null) {
            hook = new Thread(this::closeQuietly, "restore-cleanup-" + session.id());
            Runtime.getRuntime().addShutdownHook(hook);
        }
    }

    /** Hands the session to a later {@code zmsnap unmount}: no hook, no owner. */
    public synchronized void keep() {
        session = session.withOwner(0);
        session.save(dir);
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
            hook = null;
        }
    }

    public String id() {
        return session.id();
    }

    public String tag() {
        return session.tag();
    }

    public Path dir() {
        return dir;
    }

    public Path socket() {
        return SandboxDatabase.socket(dir);
    }

    public OpenTimings timings() {
        return timings;
    }

    public RestoreSession session() {
        return session;
    }

    public Connection connect() {
        try {
            return SandboxDatabase.connect(socket());
        } catch (SQLException e) {
            throw new RestoreException("cannot connect to the sandbox MariaDB on " + socket() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A live path (a volume's path in the snapshot's own volume table) inside the clones: the clone of the
     * dataset whose live mountpoint is the longest prefix of it.
     */
    public Optional<Path> map(Path live) {
        return session.remap().entrySet().stream().filter(e -> live.startsWith(e.getKey()))
                .max(Comparator.comparingInt(e -> e.getKey().getNameCount()))
                .map(e -> e.getValue().resolve(e.getKey().relativize(live)));
    }

    public Map<Path, Path> remap() {
        return session.remap();
    }

    @Override
    public synchronized void close() {
        if (closed || borrowed) {
            return;
        }
        closed = true;
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // we are the hook, or it runs anyway
            }
            hook = null;
        }
        destroy(zfs, dir, session);
    }

    private void closeQuietly() {
        try {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            destroy(zfs, dir, session);
        } catch (RuntimeException e) {
            System.err.println("zmsnap: cleanup of restore session " + dir + " failed: " + e.getMessage()
                    + " (run: zmsnap restore --cleanup)");
        }
    }

    /** Stops the sandbox (SIGKILL: the clone is thrown away), destroys the clones, removes the directory. */
    static void destroy(Zfs zfs, Path dir, RestoreSession s) {
        List<String> problems = new ArrayList<>();
        if (s.serverPid() > 0) {
            BackgroundProcess p = BackgroundProcess.of(s.serverPid(), "sandbox mariadbd");
            // Only kill what still is our sandbox: a pid from an old file may have been reused.
            if (p.alive() && p.commandLine().map(cl -> cl.contains(dir.toString())).orElse(true)) {
                p.stop(Duration.ZERO);
            }
        }
        for (DatasetName clone : s.clones()) {
            try {
                zfs.destroyFilesystem(clone);
            } catch (RuntimeException e) {
                problems.add(e.getMessage());
            }
        }
        if (problems.isEmpty()) {
            deleteTree(dir);
        } else {
            throw new RestoreException("restore session " + s.id() + " not fully removed: " + String.join("; ", problems));
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new RestoreException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }
}
