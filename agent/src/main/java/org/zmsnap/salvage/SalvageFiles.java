package org.zmsnap.salvage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import org.zmsnap.zimbra.RestoreException;

/** Files of a salvage directory: written whole or not at all, and their SHA-256. */
final class SalvageFiles {
    private SalvageFiles() {}

    /**
     * Replaces {@code file} with {@code content}: a temporary sibling, fsync, atomic rename. A rerun always
     * rewrites (unlike restore's eml writer, which keeps a file of the same size), so the file is exactly what the
     * manifest's digest says. {@code mtime} may be null.
     */
    static void write(Path file, byte[] content, Instant mtime) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer bb = ByteBuffer.wrap(content);
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
                ch.force(true);
            }
            if (mtime != null) {
                Files.setLastModifiedTime(tmp, FileTime.from(mtime));
            }
            SalvageManifest.moveAtomically(tmp, file);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write failed already; that is the error to report
            }
            throw new RestoreException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
