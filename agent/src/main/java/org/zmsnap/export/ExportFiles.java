package org.zmsnap.export;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.zmsnap.zimbra.RestoreException;

/** What an export directory holds: every file but the manifest, with its size and SHA-256. */
public final class ExportFiles {
    /** Stands for the digest of what is not a regular file (a link, a fifo): it never equals a recorded digest. */
    static final String NOT_A_FILE = "not-a-regular-file";

    private ExportFiles() {}

    /** Every entry below {@code dir} that is not a directory, by path relative to it, sorted; the manifest left out. */
    public static TreeMap<String, ExportManifest.FileEntry> scan(Path dir) {
        TreeMap<String, ExportManifest.FileEntry> found = new TreeMap<>();
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(paths::add);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new RestoreException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        for (Path p : paths) {
            String rel = relative(dir, p);
            if (!rel.equals(ExportManifest.FILE)) {
                found.put(rel, entry(rel, p));
            }
        }
        return found;
    }

    /** {@code file} relative to {@code dir}, '/'-separated whatever the platform. */
    public static String relative(Path dir, Path file) {
        List<String> parts = new ArrayList<>();
        dir.relativize(file).forEach(x -> parts.add(x.toString()));
        return String.join("/", parts);
    }

    private static ExportManifest.FileEntry entry(String rel, Path p) {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return new ExportManifest.FileEntry(rel, -1, NOT_A_FILE);
        }
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = sha256();
            byte[] buf = new byte[1 << 16];
            long size = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                size += n;
            }
            return new ExportManifest.FileEntry(rel, size, HexFormat.of().formatHex(md.digest()));
        } catch (IOException e) {
            throw new RestoreException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    public static String sha256(byte[] content) {
        return HexFormat.of().formatHex(sha256().digest(content));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
