package org.zmsnap.restore.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.config.RestoreConfig;
import org.zmsnap.exec.BackgroundProcess;
import org.zmsnap.exec.Command;
import org.zmsnap.exec.CommandResult;
import org.zmsnap.exec.LocalCommandRunner;
import org.zmsnap.snapshot.SnapshotProperties;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zimbra.RestoreException;

/**
 * Clones every dataset of a set under {@code restore.workdir} (db writable for InnoDB's recovery, the rest
 * readonly) and starts the sandbox mariadbd. Never writes to a snapshot. Anything made before a failure is
 * removed before the failure is reported.
 */
public final class SnapshotOpener {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Debug lines with each step's time (ZMSNAP_LOG_LEVEL=DEBUG): where opening a set spends it. */
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotOpener.class);

    private final Zfs zfs;
    private final RestoreConfig config;
    private final List<DatasetName> datasets;
    private final Map<DatasetName, Path> livePaths;
    private final String source;
    private final List<String> launcher;

    public SnapshotOpener(Zfs zfs, RestoreConfig config, List<DatasetName> datasets) {
        this(zfs, config, datasets, Map.of(), "local");
    }

    /**
     * @param livePaths where a dataset is mounted on the mailbox host, when that is not its own mountpoint here
     *                  (a DR copy of a dataset that exists on this host); others are read from ZFS
     * @param source    recorded in the session ({@link RestoreSource#key()})
     */
    public SnapshotOpener(Zfs zfs, RestoreConfig config, List<DatasetName> datasets, Map<DatasetName, Path> livePaths, String source) {
        this(zfs, config, datasets, livePaths, source, List.of());
    }

    /** @param launcher what execs the sandbox mariadbd (see {@link SandboxDatabase#start(List, Path, Path, Path, java.util.function.LongConsumer)}) */
    public SnapshotOpener(Zfs zfs, RestoreConfig config, List<DatasetName> datasets, Map<DatasetName, Path> livePaths, String source,
                          List<String> launcher) {
        this.launcher = List.copyOf(launcher);
        this.zfs = zfs;
        this.config = config;
        this.datasets = List.copyOf(datasets);
        this.livePaths = Map.copyOf(livePaths);
        this.source = source;
    }

    public OpenedSnapshot open(SnapshotSet set) {
        String id = HexFormat.of().formatHex(RANDOM.generateSeed(4));
        Path dir = config.workdir().resolve(id);
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new RestoreException("restore.workdir " + config.workdir() + " is not writable: " + e.getMessage(), e);
        }
        Map<DatasetName, Path> live = new LinkedHashMap<>();
        for (DatasetName d : datasets) {
            if (set.members().containsKey(d)) {
                live.put(d, livePaths.containsKey(d) ? livePaths.get(d) : zfs.getProperty(d, "mountpoint")
                        .filter(m -> m.startsWith("/")).map(Path::of).orElse(Path.of("/nonexistent", d.value())));
            }
        }
        // Known from the live mountpoints on the mailbox host; on a DR host (copies not mounted, paths differ) only
        // once the clones are mounted: found there below.
        Optional<DatasetName> knownDb = dbDataset(live);
        Map<DatasetName, DatasetName> cloneOf = new LinkedHashMap<>();
        Map<Path, Path> remap = new LinkedHashMap<>();
        Map<DatasetName, Path> cloneMount = new LinkedHashMap<>();
        Set<String> leaves = new HashSet<>();
        for (DatasetName d : live.keySet()) {
            String leaf = d.value().substring(d.value().lastIndexOf('/') + 1);
            String unique = leaf;
            for (int i = 2; !leaves.add(unique); i++) {
                unique = leaf + i;
            }
            DatasetName clone = new DatasetName(d.pool()).child(RestoreSession.CLONE_PREFIX + id + "-" + unique);
            cloneOf.put(d, clone);
            remap.put(live.get(d), dir.resolve(unique));
            cloneMount.put(d, dir.resolve(unique));
        }
        Path plannedDatadir = knownDb.map(db -> cloneMount.get(db).resolve(relativeDatadir(live.get(db))))
                .orElse(dir.resolve("datadir-not-yet-known"));
        RestoreSession session = new RestoreSession(id, set.tag().name(), ProcessHandle.current().pid(),
                RestoreSession.startOf(ProcessHandle.current().pid()), 0,
                new ArrayList<>(cloneOf.values()), remap, plannedDatadir, source);
        session.save(dir);
        OpenedSnapshot opened = null;
        OpeningGuard guard = new OpeningGuard(zfs, dir);
        try {
            long t0 = System.nanoTime();
            for (var e : cloneOf.entrySet()) {
                SnapshotInfo snap = set.members().get(e.getKey());
                Map<String, String> props = new LinkedHashMap<>();
                props.put("mountpoint", cloneMount.get(e.getKey()).toString());
                // The db clone takes InnoDB's crash recovery; everything else is only read. Unknown yet: all
                // writable until the db is found, then the others are made readonly.
                props.put("readonly", knownDb.map(db -> e.getKey().equals(db) ? "off" : "on").orElse("off"));
                long c0 = System.nanoTime();
                guard.step(() -> zfs.clone(snap.name(), e.getValue(), props));
                LOG.debug("open {}: clone {} {} ms", id, e.getValue().value(), (System.nanoTime() - c0) / 1_000_000);
            }
            Path datadir = plannedDatadir;
            if (knownDb.isEmpty()) {
                Map.Entry<DatasetName, Path> found = dbInClones(cloneMount);
                for (var e : cloneOf.entrySet()) {
                    if (!e.getKey().equals(found.getKey())) {
                        guard.step(() -> zfs.set(e.getValue(), "readonly", "on"));
                    }
                }
                datadir = found.getValue();
                session = session.withDatadir(datadir);
                session.save(dir);
            }
            long t1 = System.nanoTime();
            RestoreSession before = session;
            guard.begin();
            BackgroundProcess server;
            try {
                server = SandboxDatabase.start(launcher, config.mariadbd(), datadir, dir, pid -> {
                    before.withServer(pid).save(dir);
                    guard.end();
                });
            } finally {
                guard.end();
            }
            session = session.withServer(server.pid());
            long t2 = System.nanoTime();
            LOG.debug("open {}: sandbox mariadbd started and accepting connections {} ms", id, (t2 - t1) / 1_000_000);
            RestoreSession ready = session;
            OpenTimings timings = new OpenTimings((t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
            OpenedSnapshot[] made = new OpenedSnapshot[1];
            guard.handOver(() -> made[0] = new OpenedSnapshot(zfs, dir, ready, timings, true));
            opened = made[0];
            return opened;
        } catch (RuntimeException e) {
            if (opened == null && !guard.aborted()) {
                try {
                    // Re-read: the server pid may be in the file even though start() failed later.
                    OpenedSnapshot.destroy(zfs, dir, RestoreSession.load(dir));
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            if (guard.aborted()) {
                // The sandbox was killed by the cleanup, not by a damaged database: say so, not "exited at start".
                throw new RestoreException("interrupted while opening " + set.tag().name() + "; its clones are removed");
            }
            if (e instanceof SandboxStartException) {
                Optional<String> hint = SandboxVersion.hint(set.property(SnapshotProperties.SERVER), sandboxVersion(),
                        config.mariadbd());
                if (hint.isPresent()) {
                    throw new SandboxStartException(hint.get() + "\n" + e.getMessage());
                }
            }
            throw e;
        } finally {
            guard.close();
        }
    }

    /** What the sandbox binary says it is; asked only when it failed to start. */
    private Optional<String> sandboxVersion() {
        try {
            CommandResult r = new LocalCommandRunner().runQuick(Command.of(Duration.ofSeconds(10),
                    config.mariadbd().toString(), "--version"));
            return r.ok() ? Optional.of(r.stdout()) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Ctrl-C or SIGTERM while a set is being opened, before the {@link OpenedSnapshot} (and its own hook) exists:
     * a shutdown hook removes what the session file lists. It waits for the step under way (one zfs call, or
     * the sandbox's launch until its pid is saved), so nothing is made after it has cleaned up.
     */
    private static final class OpeningGuard implements AutoCloseable {
        private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        private final Thread hook;
        private volatile boolean aborted;
        private boolean handedOver;

        OpeningGuard(Zfs zfs, Path dir) {
            hook = new Thread(() -> {
                lock.lock();
                try {
                    if (handedOver) {
                        return;
                    }
                    aborted = true;
                    OpenedSnapshot.destroy(zfs, dir, RestoreSession.load(dir));
                } catch (RuntimeException e) {
                    System.err.println("zmsnap: cleanup of restore session " + dir + " failed: " + e.getMessage()
                            + " (run: zmsnap restore --cleanup)");
                } finally {
                    lock.unlock();
                }
            }, "restore-open-cleanup");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        boolean aborted() {
            return aborted;
        }

        void step(Runnable r) {
            begin();
            try {
                r.run();
            } finally {
                end();
            }
        }

        /** Holds off the hook until {@link #end()}; refuses to start a step once it has run. */
        void begin() {
            lock.lock();
            if (aborted) {
                lock.unlock();
                throw new RestoreException("interrupted while opening the snapshot");
            }
        }

        void end() {
            if (lock.isHeldByCurrentThread()) {
                lock.unlock();
            }
        }

        /** The opened snapshot's own hook takes over from here. */
        void handOver(Runnable makeOpened) {
            step(() -> {
                makeOpened.run();
                handedOver = true;
            });
        }

        @Override
        public void close() {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs, or has run
            }
        }
    }

    /** The dataset holding restore.datadir: longest mountpoint prefix (absolute) or where DATADIR/mysql exists. */
    private Optional<DatasetName> dbDataset(Map<DatasetName, Path> live) {
        Path datadir = config.datadir();
        if (datadir.isAbsolute()) {
            return live.entrySet().stream().filter(e -> datadir.startsWith(e.getValue()))
                    .max(java.util.Comparator.comparingInt(e -> e.getValue().getNameCount())).map(Map.Entry::getKey);
        }
        return live.entrySet().stream().filter(e -> Files.isDirectory(e.getValue().resolve(datadir).resolve("mysql")))
                .map(Map.Entry::getKey).findFirst();
    }

    /**
     * The datadir inside the mounted clones, when the live paths did not tell: a relative restore.datadir under
     * a clone's root; an absolute one by its trailing path components (/opt/zimbra/db/data is data/ in the
     * clone of a dataset mounted at /opt/zimbra/db). It must hold a 'mysql' directory, in exactly one clone.
     */
    private Map.Entry<DatasetName, Path> dbInClones(Map<DatasetName, Path> cloneMount) {
        Path datadir = config.datadir();
        for (int keep = datadir.getNameCount(); keep >= 0; keep--) {
            Path suffix = keep == 0 ? Path.of("") : datadir.isAbsolute()
                    ? datadir.subpath(datadir.getNameCount() - keep, datadir.getNameCount()) : datadir;
            if (!datadir.isAbsolute() && keep != datadir.getNameCount()) {
                break;
            }
            List<Map.Entry<DatasetName, Path>> hits = new ArrayList<>();
            for (var e : cloneMount.entrySet()) {
                Path candidate = e.getValue().resolve(suffix);
                if (Files.isDirectory(candidate.resolve("mysql"))) {
                    hits.add(Map.entry(e.getKey(), candidate));
                }
            }
            if (hits.size() == 1) {
                return hits.get(0);
            }
            if (hits.size() > 1) {
                throw new RestoreException("more than one dataset holds a MariaDB datadir like '" + datadir + "': " + hits
                        + " (set restore.datadir to tell which)");
            }
        }
        throw new RestoreException("none of the datasets " + cloneMount.keySet() + " holds the MariaDB datadir '" + datadir
                + "' (restore.datadir: relative to the db dataset's mountpoint, or the absolute path on the mailbox host)");
    }

    private Path relativeDatadir(Path dbMount) {
        return config.datadir().isAbsolute() ? dbMount.relativize(config.datadir()) : config.datadir();
    }
}
