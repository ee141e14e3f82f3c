package org.zmsnap.restore.session;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zimbra.RestoreException;

/**
 * What one opened snapshot consists of, written to {@code <workdir>/<id>/session.properties} before the
 * first clone exists, so {@code unmount} and {@code restore --cleanup} can find everything a run made.
 *
 * @param owner     pid of the zmsnap that opened it and closes it; 0 for a session kept by {@code zmsnap mount}
 * @param ownerStarted when that process started (epoch ms; 0 when unknown): a pid alone may be another process's after
 *                  a crash and a reboot, which would keep a dead run's session "in use" for good
 * @param serverPid the sandbox mariadbd; 0 until started
 * @param remap     live mountpoint → clone mountpoint, per dataset
 * @param source    whose sets: "local", or the target whose DR copies were cloned ({@link RestoreSource#key()})
 */
public record RestoreSession(String id, String tag, long owner, long ownerStarted, long serverPid, List<DatasetName> clones,
                             Map<Path, Path> remap, Path datadir, String source) {
    public static final String FILE = "session.properties";
    public static final String CLONE_PREFIX = "zmsnap-restore-";

    public RestoreSession {
        clones = List.copyOf(clones);
        remap = Map.copyOf(new LinkedHashMap<>(remap));
    }

    public RestoreSession withServer(long pid) {
        return new RestoreSession(id, tag, owner, ownerStarted, pid, clones, remap, datadir, source);
    }

    public RestoreSession withOwner(long pid) {
        return new RestoreSession(id, tag, pid, startOf(pid), serverPid, clones, remap, datadir, source);
    }

    public RestoreSession withDatadir(Path d) {
        return new RestoreSession(id, tag, owner, ownerStarted, serverPid, clones, remap, d, source);
    }

    /** A process's start time in epoch ms, 0 when it is gone or unknown (pid 0: no owner). */
    static long startOf(long pid) {
        return pid <= 0 ? 0 : ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    /** Whether the owner is still the process that opened this session: alive, and (when known) started when it did. */
    public boolean ownerRunning() {
        if (owner <= 0) {
            return false;
        }
        long now = startOf(owner);
        // Both readings come from the same /proc start time; a second of slack covers rounding of the boot time.
        return now != 0 && (ownerStarted == 0 || Math.abs(now - ownerStarted) <= 1000);
    }

    public void save(Path dir) {
        Properties p = new Properties();
        p.setProperty("id", id);
        p.setProperty("tag", tag);
        p.setProperty("owner", Long.toString(owner));
        p.setProperty("owner-started", Long.toString(ownerStarted));
        p.setProperty("server-pid", Long.toString(serverPid));
        p.setProperty("clones", String.join(",", clones.stream().map(DatasetName::value).toList()));
        p.setProperty("datadir", datadir.toString());
        p.setProperty("source", source);
        int i = 0;
        for (var e : remap.entrySet()) {
            p.setProperty("remap." + i + ".live", e.getKey().toString());
            p.setProperty("remap." + i + ".clone", e.getValue().toString());
            i++;
        }
        Path tmp = dir.resolve(FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "zmsnap restore session: what 'zmsnap unmount' and 'zmsnap restore --cleanup' remove");
        } catch (IOException e) {
            throw new RestoreException("cannot write " + tmp + ": " + e.getMessage(), e);
        }
        try {
            Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RestoreException("cannot write " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    public static RestoreSession load(Path dir) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(FILE), StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new RestoreException("cannot read " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
        List<DatasetName> clones = new ArrayList<>();
        for (String c : p.getProperty("clones", "").split(",")) {
            if (!c.isBlank()) {
                clones.add(DatasetName.of(c));
            }
        }
        Map<Path, Path> remap = new LinkedHashMap<>();
        for (int i = 0; p.getProperty("remap." + i + ".live") != null; i++) {
            remap.put(Path.of(p.getProperty("remap." + i + ".live")), Path.of(p.getProperty("remap." + i + ".clone")));
        }
        return new RestoreSession(p.getProperty("id", dir.getFileName().toString()), p.getProperty("tag", "?"),
                Long.parseLong(p.getProperty("owner", "0")), Long.parseLong(p.getProperty("owner-started", "0")),
                Long.parseLong(p.getProperty("server-pid", "0")),
                clones, remap, Path.of(p.getProperty("datadir", "/nonexistent")), p.getProperty("source", "local"));
    }
}
