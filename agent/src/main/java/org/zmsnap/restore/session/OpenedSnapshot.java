package org.zmsnap.restore.session;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.exec.BackgroundProcess;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zimbra.RestoreException;

/**
 * A snapshot set cloned under the restore workdir with a sandbox mariadbd on the cloned datadir. Closing
 * it stops the sandbox, destroys the clones and removes the session directory; a shutdown hook does the
 * same on Ctrl-C. A kept session (zmsnap mount) has no hook and outlives this process.
 */
public final class OpenedSnapshot implements AutoCloseable {
    /** Debug lines with each teardown step's time (ZMSNAP_LOG_LEVEL=DEBUG). */
    private static final Logger LOG = LoggerFactory.getLogger(OpenedSnapshot.class);
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
        Optional<Path> byPrefix = session.remap().entrySet().stream().filter(e -> live.startsWith(e.getKey()))
                .max(Comparator.comparingInt(e -> e.getKey().getNameCount()))
                .map(e -> e.getValue().resolve(e.getKey().relativize(live)));
        return byPrefix.isPresent() ? byPrefix : guessed.computeIfAbsent(live, this::findVolume);
    }

    /** Volume paths found by {@link #findVolume}: looked up once, not per blob. */
    private final java.util.concurrent.ConcurrentMap<Path, Optional<Path>> guessed = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A volume path of the mailbox host that no clone's live path covers: the case on a DR host, where the DR
     * copies are mounted elsewhere (or not at all). The volume is then found by its trailing path components in
     * the clones (/opt/zimbra/store → the clone's root, store/, zimbra/store/, ...), where a directory that holds
     * a blob tree (<n>/<mailbox id>/msg) is; the longest matching suffix wins, then the clone whose dataset leaf is
     * the volume's last name. A wrong guess cannot pass silently: every blob's digest is checked.
     */
    private Optional<Path> findVolume(Path live) {
        List<Path> mounts = new ArrayList<>(session.remap().values());
        for (int keep = live.getNameCount(); keep >= 0; keep--) {
            Path suffix = keep == 0 ? Path.of("") : live.subpath(live.getNameCount() - keep, live.getNameCount());
            List<Path> hits = new ArrayList<>();
            for (Path m : mounts) {
                Path candidate = m.resolve(suffix);
                if (holdsBlobs(candidate)) {
                    hits.add(candidate);
                }
            }
            if (hits.size() > 1 && live.getFileName() != null) {
                List<Path> sameName = hits.stream().filter(h -> h.getFileName() != null
                        && h.getFileName().toString().equals(live.getFileName().toString())).toList();
                hits = sameName.isEmpty() ? hits : sameName;
            }
            if (hits.size() == 1) {
                return Optional.of(hits.get(0));
            }
            if (hits.size() > 1) {
                throw new RestoreException("volume " + live + " could be any of " + hits + " in the clones");
            }
        }
        return Optional.empty();
    }

    /** A Zimbra message volume's root: numeric group directories with mailbox directories holding msg/. */
    static boolean holdsBlobs(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var groups = Files.list(dir)) {
            for (Path g : (Iterable<Path>) groups.filter(p -> p.getFileName().toString().matches("\\d+")).limit(64)::iterator) {
                try (var boxes = Files.list(g)) {
                    if (boxes.filter(p -> p.getFileName().toString().matches("\\d+")).limit(64)
                            .anyMatch(b -> Files.isDirectory(b.resolve("msg")))) {
                        return true;
                    }
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
        return false;
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

    /** Closed by the shutdown hook (Ctrl-C, SIGTERM): what was read from it may be cut short. */
    public boolean interrupted() {
        return interrupted;
    }

    private volatile boolean interrupted;

    private void closeQuietly() {
        try {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                interrupted = true;
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
        long t0 = System.nanoTime();
        java.util.Set<Long> sandboxes = new java.util.LinkedHashSet<>();
        if (s.serverPid() > 0) {
            BackgroundProcess p = BackgroundProcess.of(s.serverPid(), "sandbox mariadbd");
            // Only kill what still is our sandbox: a pid from an old file may have been reused.
            if (p.alive() && p.commandLine().map(cl -> cl.contains(dir.toString())).orElse(true)) {
                sandboxes.add(p.pid());
            }
        }
        sandboxes.addAll(SandboxDatabase.runningOn(dir));
        for (long pid : sandboxes) {
            BackgroundProcess.of(pid, "sandbox mariadbd").stop(Duration.ZERO);
        }
        LOG.debug("close {}: {} sandbox mariadbd stopped {} ms", s.id(), sandboxes.size(), (System.nanoTime() - t0) / 1_000_000);
        // One thread per clone: on ZFS a destroy waits for a txg sync and, on zfs-fuse, an unmount through FUSE;
        // issued together they share them instead of queueing (docs/benchmarks.md, verify). The sandbox is
        // stopped first, or the db clone stays busy.
        List<Thread> threads = new ArrayList<>();
        String[] failed = new String[s.clones().size()];
        for (int i = 0; i < s.clones().size(); i++) {
            DatasetName clone = s.clones().get(i);
            int slot = i;
            Thread t = new Thread(() -> {
                long d0 = System.nanoTime();
                try {
                    zfs.destroyFilesystem(clone);
                } catch (RuntimeException e) {
                    failed[slot] = e.getMessage();
                }
                LOG.debug("close {}: destroy {} {} ms", s.id(), clone.value(), (System.nanoTime() - d0) / 1_000_000);
            }, "restore-destroy-" + clone.value());
            threads.add(t);
            t.start();
        }
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    // The clones must go whatever happens: wait for every destroy, then keep the interrupt.
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        for (String f : failed) {
            if (f != null) {
                problems.add(f);
            }
        }
        if (problems.isEmpty()) {
            deleteTree(dir);
            LOG.debug("close {}: removed in {} ms", s.id(), (System.nanoTime() - t0) / 1_000_000);
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
