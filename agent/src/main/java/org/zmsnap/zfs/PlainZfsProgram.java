package org.zmsnap.zfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * Whether {@code zfs.command} is the zfs program as installed, which zmsnap may bypass for libzfs_core, or a site's
 * wrapper, which is the site's way to snapshot and must stay in the path. One rule, used by {@link Zfs#withLibZfsCore}.
 */
final class PlainZfsProgram {
    /** The names the installed program goes by: found on PATH, or its usual paths. Any other name is a wrapper. */
    static final Set<String> NAMES = Set.of("zfs", "/sbin/zfs", "/usr/sbin/zfs", "/bin/zfs", "/usr/bin/zfs",
            "/usr/local/sbin/zfs");

    private PlainZfsProgram() {
    }

    static boolean named(String command) {
        return NAMES.contains(command);
    }

    /**
     * Why the program {@code command} resolves to (on {@code path} for a bare name, symlinks followed) is a site's
     * wrapper after all: a script ({@code #!}) installed under one of the plain names, e.g. {@code /usr/local/sbin/zfs}
     * ahead of the real one on PATH. Empty for a binary, and for a program not found (then {@code zfs version} has
     * already said so, and nothing goes in-process).
     */
    static Optional<String> script(String command, String path) {
        Optional<Path> program = command.contains("/") ? Optional.of(Path.of(command)) : onPath(command, path);
        if (program.isEmpty()) {
            return Optional.empty();
        }
        byte[] head = new byte[2];
        int n;
        try (InputStream in = Files.newInputStream(program.get())) {
            n = in.readNBytes(head, 0, 2);
        } catch (IOException e) {
            return Optional.empty();
        }
        return n == 2 && head[0] == '#' && head[1] == '!'
                ? Optional.of(program.get() + " is a script, taken for a site's wrapper: snapshots go through it"
                        + " (a wrapper zmsnap should bypass can be named elsewhere, or zfs.command set to the real program)")
                : Optional.empty();
    }

    /** The first executable {@code name} on {@code path}, as execvp finds it. */
    private static Optional<Path> onPath(String name, String path) {
        if (path == null) {
            return Optional.empty();
        }
        return Arrays.stream(path.split(":")).filter(dir -> !dir.isEmpty()).map(dir -> Path.of(dir, name))
                .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
    }
}
