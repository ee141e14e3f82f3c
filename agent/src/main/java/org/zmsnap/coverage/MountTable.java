package org.zmsnap.coverage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mounts of a Linux mount namespace, read from {@code /proc/self/mountinfo}. For a ZFS mount the source
 * is the dataset's name, also when the dataset is mounted a second time with {@code mount --bind} or with
 * {@code mountpoint=legacy}: so "which dataset holds this path" is answered by the kernel, not by comparing
 * strings with the {@code mountpoint} property.
 */
public record MountTable(List<Mount> mounts) {
    /** One line of mountinfo: where it is mounted, the filesystem type and the source (a dataset for ZFS). */
    public record Mount(Path mountPoint, String fsType, String source) {
        public boolean zfs() {
            return fsType.equals("zfs") || fsType.equals("fuse.zfs");
        }

        public String describe() {
            return source + " (" + fsType + ", mounted on " + mountPoint + ")";
        }
    }

    public MountTable {
        mounts = List.copyOf(mounts);
    }

    /**
     * Parses mountinfo text (proc(5)): {@code id parent major:minor root mountpoint options [optional…] - fstype
     * source superoptions}; spaces and other characters in paths are octal escapes such as {@code \040}.
     */
    public static MountTable parse(String mountinfo) {
        List<Mount> out = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(" ");
            int dash = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) {
                    dash = i;
                    break;
                }
            }
            if (f.length < 5 || dash < 0 || dash + 2 >= f.length) {
                throw new IllegalArgumentException("not a mountinfo line: " + line);
            }
            out.add(new Mount(Path.of(unescape(f[4])), unescape(f[dash + 1]), unescape(f[dash + 2])));
        }
        return new MountTable(out);
    }

    /**
     * The mount that holds {@code realPath}: the one with the longest mount point containing it (whole path
     * components: {@code /opt/zimbra/storeX} is not inside {@code /opt/zimbra/store}); of several mounts on
     * the same point, the last mounted, which hides the others.
     */
    public Optional<Mount> holding(Path realPath) {
        Mount best = null;
        for (Mount m : mounts) {
            if (realPath.startsWith(m.mountPoint())
                    && (best == null || m.mountPoint().getNameCount() >= best.mountPoint().getNameCount())) {
                best = m;
            }
        }
        return Optional.ofNullable(best);
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
