package org.zmsnap.zimbra;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.zip.GZIPInputStream;

/**
 * Reads a blob: gzip is recognised by its magic bytes, not the volume's setting (which may have changed since
 * the blob was written), and the digest of the uncompressed bytes is checked against the row's
 * (SHA-256, or SHA-1 for 28-character digests from before ZCS 8; base64 with ',' for '/').
 */
public final class BlobReader {
    private BlobReader() {}

    public static BlobContent read(Path file, String expectedDigest) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new BlobContent.Unreadable(file, "blob missing from the snapshot");
        } catch (IOException e) {
            return new BlobContent.Unreadable(file, e.toString());
        }
        boolean gzip = raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b;
        byte[] bytes = raw;
        if (gzip) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                return new BlobContent.Unreadable(file, "corrupt gzip: " + e.getMessage());
            }
        }
        if (expectedDigest == null || expectedDigest.isBlank()) {
            return new BlobContent.Ok(bytes, gzip);
        }
        String actual = digest(bytes, expectedDigest.length() == 28 ? "SHA-1" : "SHA-256");
        return actual.equals(expectedDigest) ? new BlobContent.Ok(bytes, gzip)
                : new BlobContent.DigestMismatch(bytes, expectedDigest, actual, file);
    }

    static String digest(byte[] bytes, String algorithm) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance(algorithm).digest(bytes)).replace('/', ',');
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
