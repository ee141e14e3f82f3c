package org.zmsnap.restore.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.zmsnap.exec.BackgroundProcess;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zimbra.RestoreException;

/**
 * What crashed restores left: session directories in the workdir whose owner is gone, and clones named
 * {@code <pool>/zmsnap-restore-<id>-<leaf>} without a live session. A session kept by {@code zmsnap mount}
 * whose sandbox still runs, and one whose owner is still running, are not leftovers.
 */
public final class RestoreLeftovers {
    public record Removed(List<String> sessions, List<DatasetName> clones) {}

    private final Zfs zfs;
    private final Path workdir;
    private final List<String> pools;

    public RestoreLeftovers(Zfs zfs, Path workdir, String pool) {
        this(zfs, workdir, List.of(pool));
    }

    /** @param pools where restores clone (this host's pool, a local DR pool): scanned for stray clones */
    public RestoreLeftovers(Zfs zfs, Path workdir, List<String> pools) {
        this.zfs = zfs;
        this.workdir = workdir;
        this.pools = List.copyOf(pools);
    }

    /** Sessions that are in use: an owner alive, or kept by mount with its sandbox alive. */
    public List<Path> active() {
        List<Path> out = new ArrayList<>();
        for (Path dir : sessionDirs()) {
            RestoreSession s = RestoreSession.load(dir);
            boolean ownerAlive = s.owner() > 0 && s.owner() != ProcessHandle.current().pid() && s.ownerRunning();
            boolean keptAlive = s.owner() == 0 && s.serverPid() > 0 && BackgroundProcess.of(s.serverPid(), "mariadbd").alive();
            if (ownerAlive || keptAlive) {
                out.add(dir);
            }
        }
        return out;
    }

    /** Kept sessions ({@code zmsnap mount}) that are still open. */
    public List<Path> mounted() {
        return active().stream().filter(d -> RestoreSession.load(d).owner() == 0).toList();
    }

    public Removed remove(boolean includingMounted) {
        Set<Path> keep = new HashSet<>(includingMounted ? List.of() : active());
        if (includingMounted) {
            // still never touch a session another running zmsnap owns
            active().stream().filter(d -> RestoreSession.load(d).owner() != 0).forEach(keep::add);
        }
        Set<String> keptClones = new HashSet<>();
        List<String> sessions = new ArrayList<>();
        for (Path dir : sessionDirs()) {
            RestoreSession s = RestoreSession.load(dir);
            if (keep.contains(dir)) {
                s.clones().forEach(c -> keptClones.add(c.value()));
                continue;
            }
            OpenedSnapshot.destroy(zfs, dir, s);
            sessions.add(s.id());
        }
        List<DatasetName> clones = new ArrayList<>();
        for (String pool : pools) {
            for (DatasetName d : zfs.childrenNamed(pool, RestoreSession.CLONE_PREFIX)) {
                if (!keptClones.contains(d.value())) {
                    zfs.destroyFilesystem(d);
                    clones.add(d);
                }
            }
        }
        return new Removed(sessions, clones);
    }

    private List<Path> sessionDirs() {
        if (!Files.isDirectory(workdir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(workdir)) {
            return s.filter(d -> Files.isRegularFile(d.resolve(RestoreSession.FILE))).sorted().toList();
        } catch (IOException e) {
            throw new RestoreException("cannot list " + workdir + ": " + e.getMessage(), e);
        }
    }
}
