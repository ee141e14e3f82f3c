package org.zmsnap.check;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.zmsnap.config.Config;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;

/** This host: ZFS answers, the configured datasets exist, the lock file's directory is writable. */
final class HostCheck {
    static final String NO_ZFS_FIX = "install the ZFS userland (Debian: zfsutils-linux) or set zfs.command; 'zfs list' must work";

    private HostCheck() {}

    static List<CheckResult> zfs(Zfs zfs) {
        Lines l = new Lines("zfs");
        l.attempt("zfs", NO_ZFS_FIX, x -> x.ok("zfs", zfs.features().implementation()));
        return l.results();
    }

    static List<CheckResult> datasets(Config cfg, Zfs zfs) {
        Lines l = new Lines("datasets");
        l.attempt("exist", NO_ZFS_FIX, x -> {
            List<DatasetName> missing = zfs.missing(cfg.datasets());
            for (DatasetName d : cfg.datasets()) {
                if (missing.contains(d)) {
                    x.fail(d.value(), "does not exist",
                            "create it (zfs create " + d.value() + ") and move that data onto it, or correct 'datasets' in " + cfg.source());
                } else {
                    x.ok(d.value(), "exists");
                }
            }
        });
        l.ok("one pool", "all " + cfg.datasets().size() + " datasets are in pool " + cfg.datasets().get(0).pool()
                + " (one atomic snapshot)");
        l.attempt("snapshot call", NO_ZFS_FIX, x -> x.ok("snapshot call", zfs.snapshotRoute()));
        return l.results();
    }

    static List<CheckResult> lockFile(Config cfg) {
        Lines l = new Lines("lock file");
        Path dir = cfg.lockFile().toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            l.fail(dir.toString(), "the lock file's directory does not exist", "create it: mkdir -p " + dir
                    + " (or set lock-file to a path in an existing directory)");
        } else if (!Files.isWritable(dir)) {
            l.fail(dir.toString(), "the lock file's directory is not writable by this user",
                    "run zmsnap as the user that owns " + dir + " (root on a mailbox host), or make it writable");
        } else {
            l.ok(dir.toString(), "exists and is writable (" + cfg.lockFile().getFileName() + ")");
        }
        return l.results();
    }

    /** The free space of the file system {@code dir} is (or would be) on: its nearest existing ancestor's. */
    static long usableSpace(Path dir) throws IOException {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        FileStore store = Files.getFileStore(p == null ? Path.of("/") : p);
        return store.getUsableSpace();
    }
}
