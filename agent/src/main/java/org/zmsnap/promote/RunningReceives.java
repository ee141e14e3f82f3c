package org.zmsnap.promote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.zmsnap.zfs.DatasetName;

/**
 * Finds {@code zfs receive} processes writing into a source's copies. A push arrives through {@code zmsnap serve}
 * (sshd runs it; it starts {@code zfs receive -u COPY} here) and a pull starts the same receive itself: either way
 * there is a local process whose argument list says so, on zfs-fuse and OpenZFS alike. ZFS itself offers nothing
 * portable ({@code %recv} clones exist only for increments and are hidden from {@code zfs list}).
 */
public final class RunningReceives {
    private final Path proc;
    private final java.util.Set<String> programs;

    public RunningReceives() {
        this(Path.of("/proc"), "zfs");
    }

    /**
     * @param proc       a procfs root (a directory tree shaped like it in unit tests)
     * @param zfsCommand the configured zfs program (a site's wrapper): receives through it count too, as do plain
     *                   {@code zfs} ones (what {@code zmsnap serve} and other tools start)
     */
    public RunningReceives(Path proc, String zfsCommand) {
        this.proc = proc;
        this.programs = java.util.Set.copyOf(java.util.List.of("zfs", basename(zfsCommand)));
    }

    private static String basename(String prog) {
        return prog.substring(prog.lastIndexOf('/') + 1);
    }

    /** "pid N: zfs receive …" for each running receive into {@code root} or below it. */
    public List<String> into(DatasetName root) {
        List<String> out = new ArrayList<>();
        try (var entries = Files.list(proc)) {
            for (Path p : entries.filter(e -> e.getFileName().toString().matches("[0-9]+")).sorted().toList()) {
                List<String> argv = argv(p.resolve("cmdline"));
                if (receivesInto(argv, root, programs)) {
                    out.add("pid " + p.getFileName() + ": " + String.join(" ", argv));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list processes in " + proc + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** {@code … zfs receive|recv [options] DATASET}, possibly behind a prefix such as {@code timeout -s KILL 60s}. */
    static boolean receivesInto(List<String> argv, DatasetName root, java.util.Set<String> programs) {
        for (int i = 0; i + 1 < argv.size(); i++) {
            if (programs.contains(basename(argv.get(i))) && (argv.get(i + 1).equals("receive") || argv.get(i + 1).equals("recv"))) {
                for (String a : argv.subList(i + 2, argv.size())) {
                    String name = a.contains("@") ? a.substring(0, a.indexOf('@')) : a;
                    if (name.equals(root.value()) || name.startsWith(root.value() + "/")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static List<String> argv(Path cmdline) {
        try {
            String s = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
            return Arrays.stream(s.split("\0")).filter(x -> !x.isEmpty()).toList();
        } catch (IOException | SecurityException e) {
            return List.of(); // the process ended while we looked, or is not ours to read
        }
    }
}
