package org.zmsnap.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.zmsnap.config.RestoreConfig;
import org.zmsnap.exec.BackgroundProcess;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;
import org.zmsnap.zfs.Zfs;

/**
 * Clones every dataset of a set under {@code restore.workdir} (db writable for InnoDB's recovery, the rest
 * readonly) and starts the sandbox mariadbd. Never writes to a snapshot. Anything made before a failure is
 * removed before the failure is reported.
 */
public final class SnapshotOpener {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Zfs zfs;
    private final RestoreConfig config;
    private final List<DatasetName> datasets;

    public SnapshotOpener(Zfs zfs, RestoreConfig config, List<DatasetName> datasets) {
        this.zfs = zfs;
        this.config = config;
        this.datasets = List.copyOf(datasets);
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
                live.put(d, zfs.getProperty(d, "mountpoint").filter(m -> m.startsWith("/")).map(Path::of)
                        .orElse(Path.of("/nonexistent", d.value())));
            }
        }
        DatasetName db = dbDataset(live);
        Map<DatasetName, DatasetName> cloneOf = new LinkedHashMap<>();
        Map<Path, Path> remap = new LinkedHashMap<>();
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
        }
        Path datadir = remap.get(live.get(db)).resolve(relativeDatadir(live.get(db)));
        RestoreSession session = new RestoreSession(id, set.tag().name(), ProcessHandle.current().pid(), 0,
                new ArrayList<>(cloneOf.values()), remap, datadir);
        session.save(dir);
        OpenedSnapshot opened = null;
        try {
            long t0 = System.nanoTime();
            for (var e : cloneOf.entrySet()) {
                SnapshotInfo snap = set.members().get(e.getKey());
                Map<String, String> props = new LinkedHashMap<>();
                props.put("mountpoint", remap.get(live.get(e.getKey())).toString());
                // The db clone takes InnoDB's crash recovery; everything else is only read.
                props.put("readonly", e.getKey().equals(db) ? "off" : "on");
                zfs.clone(snap.name(), e.getValue(), props);
            }
            long t1 = System.nanoTime();
            RestoreSession before = session;
            BackgroundProcess server = SandboxDatabase.start(config.mariadbd(), datadir, dir,
                    pid -> before.withServer(pid).save(dir));
            session = session.withServer(server.pid());
            long t2 = System.nanoTime();
            opened = new OpenedSnapshot(zfs, dir, session, new OpenTimings((t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000), true);
            return opened;
        } catch (RuntimeException e) {
            if (opened == null) {
                try {
                    // Re-read: the server pid may be in the file even though start() failed later.
                    OpenedSnapshot.destroy(zfs, dir, RestoreSession.load(dir));
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /** The dataset holding restore.datadir: longest mountpoint prefix (absolute) or where DATADIR/mysql exists. */
    private DatasetName dbDataset(Map<DatasetName, Path> live) {
        Path datadir = config.datadir();
        Optional<DatasetName> found;
        if (datadir.isAbsolute()) {
            found = live.entrySet().stream().filter(e -> datadir.startsWith(e.getValue()))
                    .max(java.util.Comparator.comparingInt(e -> e.getValue().getNameCount())).map(Map.Entry::getKey);
        } else {
            found = live.entrySet().stream().filter(e -> Files.isDirectory(e.getValue().resolve(datadir).resolve("mysql")))
                    .map(Map.Entry::getKey).findFirst();
        }
        return found.orElseThrow(() -> new RestoreException("none of the datasets " + live.keySet()
                + " holds the MariaDB datadir '" + datadir + "' (restore.datadir; mountpoints " + live.values() + ")"));
    }

    private Path relativeDatadir(Path dbMount) {
        return config.datadir().isAbsolute() ? dbMount.relativize(config.datadir()) : config.datadir();
    }
}
