package org.zmsnap.zimbra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobReaderTest {
    @TempDir
    Path dir;

    private static final byte[] MESSAGE = "From: a@example.com\r\nSubject: hi\r\n\r\nbody /+ with bytes that matter\r\n"
            .getBytes(StandardCharsets.UTF_8);

    /** Zimbra's digest, computed independently of BlobReader: base64 with ',' for '/'. */
    private static String zimbraDigest(byte[] b, String alg) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance(alg).digest(b)).replace('/', ',');
    }

    private static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }

    @Test
    void plainBlobIsPassedThroughAndItsSha256DigestMatches() throws Exception {
        Path f = Files.write(dir.resolve("1-1.msg"), MESSAGE);
        String d = zimbraDigest(MESSAGE, "SHA-256");
        assertEquals(44, d.length());
        BlobContent.Ok ok = assertInstanceOf(BlobContent.Ok.class, BlobReader.read(f, d));
        assertArrayEquals(MESSAGE, ok.bytes());
        assertFalse(ok.gzipped());
    }

    @Test
    void gzipIsDetectedByMagicAndTheDigestIsOfTheUncompressedBytes() throws Exception {
        // Same .msg name as a plain blob: nothing but the content says it is compressed.
        Path f = Files.write(dir.resolve("2-1.msg"), gzip(MESSAGE));
        BlobContent.Ok ok = assertInstanceOf(BlobContent.Ok.class, BlobReader.read(f, zimbraDigest(MESSAGE, "SHA-256")));
        assertArrayEquals(MESSAGE, ok.bytes());
        assertTrue(ok.gzipped());
    }

    @Test
    void aFileNamedLikeGzipButPlainIsNotDecompressed() throws Exception {
        Path f = Files.write(dir.resolve("3-1.msg.gz"), MESSAGE);
        BlobContent.Ok ok = assertInstanceOf(BlobContent.Ok.class, BlobReader.read(f, zimbraDigest(MESSAGE, "SHA-256")));
        assertFalse(ok.gzipped());
        assertArrayEquals(MESSAGE, ok.bytes());
    }

    @Test
    void mismatchKeepsTheBytesAndReportsBothDigests() throws Exception {
        byte[] changed = Arrays.copyOf(MESSAGE, MESSAGE.length);
        changed[changed.length - 3] ^= 1;
        Path f = Files.write(dir.resolve("4-1.msg"), changed);
        String expected = zimbraDigest(MESSAGE, "SHA-256");
        BlobContent.DigestMismatch m = assertInstanceOf(BlobContent.DigestMismatch.class, BlobReader.read(f, expected));
        assertEquals(expected, m.expected());
        assertEquals(zimbraDigest(changed, "SHA-256"), m.actual());
        assertArrayEquals(changed, m.bytes());
        assertEquals(f, m.file());
    }

    @Test
    void legacy28CharDigestIsCheckedAsSha1() throws Exception {
        Path f = Files.write(dir.resolve("5.msg"), MESSAGE);
        String sha1 = zimbraDigest(MESSAGE, "SHA-1");
        assertEquals(28, sha1.length());
        assertInstanceOf(BlobContent.Ok.class, BlobReader.read(f, sha1));
        // A 28-character digest of other content still fails: the length picks SHA-1, it does not skip the check.
        assertInstanceOf(BlobContent.DigestMismatch.class, BlobReader.read(f, zimbraDigest("other".getBytes(), "SHA-1")));
    }

    @Test
    void digestWithSlashIsComparedInZimbrasCommaForm() throws Exception {
        // Find content whose SHA-256 base64 has a '/', so the ',' substitution is actually exercised.
        byte[] b = null;
        for (int i = 0; b == null; i++) {
            byte[] cand = ("msg " + i).getBytes(StandardCharsets.US_ASCII);
            if (Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(cand)).contains("/")) {
                b = cand;
            }
        }
        Path f = Files.write(dir.resolve("6-1.msg"), b);
        String d = zimbraDigest(b, "SHA-256");
        assertTrue(d.contains(","));
        assertInstanceOf(BlobContent.Ok.class, BlobReader.read(f, d));
    }

    @Test
    void missingBlobAndCorruptGzipAreUnreadable() throws Exception {
        BlobContent.Unreadable missing = assertInstanceOf(BlobContent.Unreadable.class,
                BlobReader.read(dir.resolve("nope-1.msg"), "x"));
        assertTrue(missing.reason().contains("missing"), missing.reason());
        byte[] gz = gzip(MESSAGE);
        Path truncated = Files.write(dir.resolve("7-1.msg"), Arrays.copyOf(gz, gz.length / 2));
        BlobContent.Unreadable bad = assertInstanceOf(BlobContent.Unreadable.class, BlobReader.read(truncated, null));
        assertTrue(bad.reason().contains("gzip"), bad.reason());
    }

    @Test
    void noDigestOnTheRowMeansNoCheck() throws Exception {
        Path f = Files.write(dir.resolve("8-1.msg"), MESSAGE);
        assertInstanceOf(BlobContent.Ok.class, BlobReader.read(f, ""));
        assertInstanceOf(BlobContent.Ok.class, BlobReader.read(f, null));
    }
}
