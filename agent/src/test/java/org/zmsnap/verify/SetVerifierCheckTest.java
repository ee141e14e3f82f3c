package org.zmsnap.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.BlobLocator;
import org.zmsnap.zimbra.MailItem;
import org.zmsnap.zimbra.Volume;

/** How one row's blob check names what it finds, on real files laid out by Zimbra's path rule (no database). */
class SetVerifierCheckTest {
    static final Account A = new Account(5, 5, "uuid", "user@example.com");
    static final byte[] BODY = ("Subject: test\r\n\r\n" + "x".repeat(6000)).getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path live;

    BlobLocator locator;

    @BeforeEach
    void volume() {
        locator = new BlobLocator(Map.of(1, new Volume(1, Path.of("/opt/zimbra/store"), 12, 8, 12, 8)),
                p -> p.equals(Path.of("/opt/zimbra/store")) ? Optional.of(live) : Optional.empty());
    }

    private Path blob(int id, int mod, byte[] bytes) throws Exception {
        Path f = live.resolve("0").resolve("5").resolve("msg").resolve("0").resolve(id + "-" + mod + ".msg");
        Files.createDirectories(f.getParent());
        Files.write(f, bytes);
        return f;
    }

    private static MailItem item(int id, int type, long size, String locator, String digest) {
        return new MailItem(id, type, 2, Instant.EPOCH, size, locator, digest, false, 0, null, null, null, null, 10, null);
    }

    /** A row Zimbra last changed at {@code changed}. */
    private static MailItem item(int id, long size, String digest, Instant changed) {
        return new MailItem(id, MailItem.MESSAGE, 2, Instant.EPOCH, size, "1", digest, false, 0, null, null, null, null, 10, null, changed);
    }

    /** A blob Zimbra wrote when it changed the row, at {@code at}. */
    private Path blobWrittenAt(int id, byte[] bytes, Instant at) throws Exception {
        Path f = blob(id, 10, bytes);
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(at));
        return f;
    }

    private static String digest(byte[] b) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(b)).replace('/', ',');
    }

    private static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(b);
        }
        return out.toByteArray();
    }

    private Optional<Problem.Kind> check(MailItem item, boolean digest) {
        SetVerifier v = new SetVerifier(null, locator, VerifyMode.fullCheck(), 1, () -> "");
        return v.check(new SetVerifier.Check(A, "/Inbox", item, digest)).problem().map(Problem::kind);
    }

    @Test
    void intactPlainAndGzipBlobsPassBothWays() throws Exception {
        blob(300, 10, BODY);
        blob(301, 10, gzip(BODY));
        for (boolean digest : new boolean[] {true, false}) {
            assertEquals(Optional.empty(), check(item(300, 5, BODY.length, "1", digest(BODY)), digest));
            assertEquals(Optional.empty(), check(item(301, 5, BODY.length, "1", digest(BODY)), digest));
        }
    }

    @Test
    void eachFaultHasItsName() throws Exception {
        byte[] flipped = BODY.clone();
        flipped[100] ^= 0x20;
        blob(310, 10, flipped);
        assertEquals(Optional.of(Problem.Kind.DIGEST_MISMATCH), check(item(310, 5, BODY.length, "1", digest(BODY)), true));
        assertEquals(Optional.empty(), check(item(310, 5, BODY.length, "1", digest(BODY)), false), "only a digest finds a flipped byte");

        blob(311, 10, Arrays.copyOf(BODY, 1000));
        assertEquals(Optional.of(Problem.Kind.SIZE_MISMATCH), check(item(311, 5, BODY.length, "1", digest(BODY)), true));
        assertEquals(Optional.of(Problem.Kind.SIZE_MISMATCH), check(item(311, 5, BODY.length, "1", digest(BODY)), false));

        byte[] gz = gzip(BODY);
        byte[] badGz = gz.clone();
        badGz[gz.length / 2] ^= 0x20;
        blob(312, 10, badGz);
        assertEquals(Optional.of(Problem.Kind.UNREADABLE_GZIP), check(item(312, 5, BODY.length, "1", digest(BODY)), true));
        blob(313, 10, Arrays.copyOf(gz, gz.length / 2));
        assertEquals(Optional.of(Problem.Kind.UNREADABLE_GZIP), check(item(313, 5, BODY.length, "1", digest(BODY)), true));
        assertEquals(Optional.of(Problem.Kind.SIZE_MISMATCH), check(item(313, 5, BODY.length, "1", digest(BODY)), false),
                "without the digest, a truncated gzip blob's trailer is not the row's size");

        assertEquals(Optional.of(Problem.Kind.MISSING_BLOB), check(item(314, 5, BODY.length, "1", digest(BODY)), true));
        assertEquals(Optional.of(Problem.Kind.MISSING_BLOB), check(item(314, 5, BODY.length, "1", digest(BODY)), false));
        assertEquals(Optional.of(Problem.Kind.UNKNOWN_VOLUME), check(item(315, 5, BODY.length, "9", digest(BODY)), true));
        assertEquals(Optional.of(Problem.Kind.UNKNOWN_VOLUME), check(item(316, 5, BODY.length, "s3://bucket", digest(BODY)), true));
    }

    /**
     * On a volume that compresses blobs above its threshold, an unchanged row's gzip blob that was not touched since
     * Zimbra changed the row is judged by its length alone (no open): what a length or an mtime shows is still found,
     * what only the bytes show is left to the digest.
     */
    @Test
    void onACompressingVolumeAnUntouchedBlobOfAGzipsLengthIsNotOpened() throws Exception {
        locator = new BlobLocator(Map.of(1, new Volume(1, Path.of("/opt/zimbra/store"), 12, 8, 12, 8, true, 4096)),
                p -> p.equals(Path.of("/opt/zimbra/store")) ? Optional.of(live) : Optional.empty());
        Instant delivered = Instant.parse("2026-01-01T00:00:00Z");
        byte[] gz = gzip(BODY);
        blobWrittenAt(340, gz, delivered);
        assertEquals(Optional.empty(), check(item(340, BODY.length, digest(BODY), delivered), false));

        blobWrittenAt(341, new byte[0], delivered);
        assertEquals(Optional.of(Problem.Kind.SIZE_MISMATCH), check(item(341, BODY.length, digest(BODY), delivered), false),
                "an empty file is no gzip of 6,000 bytes");

        blobWrittenAt(342, Arrays.copyOf(gz, gz.length - 8), delivered);
        assertEquals(Optional.empty(), check(item(342, BODY.length, digest(BODY), delivered), false),
                "a gzip blob cut to a length a gzip can have, its mtime put back: left to the digest");
        assertEquals(Optional.of(Problem.Kind.UNREADABLE_GZIP), check(item(342, BODY.length, digest(BODY), delivered), true));

        blob(343, 10, Arrays.copyOf(gz, gz.length - 8));
        assertEquals(Optional.of(Problem.Kind.SIZE_MISMATCH), check(item(343, BODY.length, digest(BODY), delivered), false),
                "cut short after the row last changed (its mtime says so): opened, and its trailer read");
        blob(344, 10, Arrays.copyOf(BODY, BODY.length / 2));
        assertEquals(Optional.of(Problem.Kind.SIZE_MISMATCH), check(item(344, BODY.length, digest(BODY), delivered), false),
                "a plain blob cut in half since: opened, no gzip, its length is not the row's");

        byte[] small = ("Subject: short\r\n\r\n" + "y".repeat(2000)).getBytes(StandardCharsets.UTF_8);
        byte[] smallGz = gzip(small);
        blobWrittenAt(345, Arrays.copyOf(smallGz, smallGz.length - 8), delivered);
        assertEquals(Optional.of(Problem.Kind.SIZE_MISMATCH), check(item(345, small.length, digest(small), delivered), false),
                "below the threshold Zimbra writes no gzip: the blob is opened and its trailer read");
        blobWrittenAt(346, Arrays.copyOf(gz, gz.length - 8), delivered);
        assertEquals(Optional.of(Problem.Kind.SIZE_MISMATCH), check(item(346, BODY.length, digest(BODY), null), false),
                "a row without a change date proves nothing about its blob's mtime: opened");
    }

    @Test
    void aGzipLengthIsBoundedByDeflatesBestAndWorstCase() throws Exception {
        byte[] noise = new byte[100_000];
        new java.util.Random(7).nextBytes(noise);
        assertTrue(SetVerifier.gzipLengthFits(gzip(noise).length, noise.length), "incompressible: a little larger");
        byte[] zeros = new byte[1 << 20];
        assertTrue(SetVerifier.gzipLengthFits(gzip(zeros).length, zeros.length), "all zeros: about 1,000 to 1");
        assertTrue(SetVerifier.gzipLengthFits(gzip(BODY).length, BODY.length));
        assertTrue(!SetVerifier.gzipLengthFits(17, 10) && !SetVerifier.gzipLengthFits(0, BODY.length)
                && !SetVerifier.gzipLengthFits(2 * BODY.length, BODY.length));
    }

    @Test
    void aCalendarItemMayHaveNoBlobAMessageMayNot() {
        assertEquals(Optional.empty(), check(item(320, MailItem.APPOINTMENT, 0, null, null), true));
        assertEquals(Optional.of(Problem.Kind.MISSING_BLOB), check(item(321, MailItem.MESSAGE, 10, null, null), true));
    }

    @Test
    void theProblemSaysWhereAndWhat() throws Exception {
        SetVerifier v = new SetVerifier(null, locator, VerifyMode.fullCheck(), 1, () -> "");
        Problem p = v.check(new SetVerifier.Check(A, "/Inbox", item(330, 5, 42, "1", "x"), true)).problem().orElseThrow();
        assertEquals(5, p.mailbox());
        assertEquals("user@example.com", p.account());
        assertEquals(330, p.item());
        assertEquals("/Inbox", p.folder());
        assertTrue(p.detail().contains("330-10.msg"), p.detail());
    }
}
