package org.zmsnap.promote;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What is mounted where, from {@code /proc/self/mountinfo}: mount point → mount source (a dataset for ZFS). */
public record MountTable(Map<Path, String> mounts) {
    public static final Path PROC = Path.of("/proc/self/mountinfo");

    public MountTable {
        mounts = Map.copyOf(mounts);
    }

    public static MountTable read() {
        try {
            return parse(Files.readString(PROC));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PROC + ": " + e.getMessage(), e);
        }
    }

    /**
     * mountinfo(5): {@code id parent major:minor root MOUNT_POINT options [optional…] - fstype SOURCE superoptions};
     * spaces, tabs, newlines and backslashes in paths are octal escapes. A later line for the same point (a mount
     * stacked on another) wins.
     */
    public static MountTable parse(String mountinfo) {
        Map<Path, String> out = new LinkedHashMap<>();
        for (String line : mountinfo.lines().toList()) {
            String[] f = line.split(" ");
            int dash = java.util.Arrays.asList(f).indexOf("-");
            if (f.length < 5 || dash < 0 || dash + 2 >= f.length) {
                continue;
            }
            out.put(Path.of(unescape(f[4])), unescape(f[dash + 2]));
        }
        return new MountTable(out);
    }

    public Optional<String> sourceAt(Path mountPoint) {
        return Optional.ofNullable(mounts.get(mountPoint.normalize()));
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
