package org.zmsnap.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.zimbra.RestoreException;
import org.zmsnap.zimbra.RestoreUsageException;

class ExportCheckTest {
    @TempDir
    Path dir;

    static ExportManifest.FileEntry e(String path, long size, String sha) {
        return new ExportManifest.FileEntry(path, size, sha);
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void comparesByPathSizeAndDigest() {
        List<ExportManifest.FileEntry> recorded = List.of(e("a/1.eml", 3, "aa"), e("a/2.eml", 3, "bb"), e("b/Inbox.mbox", 9, "cc"),
                e("a/3.eml", 4, "dd"));
        Map<String, ExportManifest.FileEntry> found = new TreeMap<>(Map.of(
                "a/1.eml", e("a/1.eml", 3, "AA"), // the same digest in capitals is the same digest
                "b/Inbox.mbox", e("b/Inbox.mbox", 9, "ce"),
                "a/3.eml", e("a/3.eml", 5, "dd"),
                "a/4.eml", e("a/4.eml", 1, "ee")));
        ExportCheck r = ExportCheck.compare(recorded, found);
        assertEquals(List.of("a/2.eml"), r.missing());
        assertEquals(List.of("a/4.eml"), r.added());
        assertEquals(List.of("b/Inbox.mbox", "a/3.eml"), r.altered());
        assertEquals(1, r.matched());
        assertFalse(r.intact());
        assertTrue(ExportCheck.compare(List.of(e("x", 1, "aa")), Map.of("x", e("x", 1, "aa"))).intact());
    }

    @Test
    void scanHashesEveryFileButTheManifestWithSlashPaths() throws Exception {
        byte[] one = "From: a\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        Files.createDirectories(dir.resolve("u@example.com/Inbox/Проекты"));
        Files.write(dir.resolve("u@example.com/Inbox/Проекты/7.eml"), one);
        Files.write(dir.resolve("u@example.com/Junk.mbox"), new byte[0]);
        Files.writeString(dir.resolve(ExportManifest.FILE), "{}");
        TreeMap<String, ExportManifest.FileEntry> found = ExportFiles.scan(dir);
        assertEquals(List.of("u@example.com/Inbox/Проекты/7.eml", "u@example.com/Junk.mbox"), List.copyOf(found.keySet()));
        assertEquals(e("u@example.com/Inbox/Проекты/7.eml", one.length, sha(one)), found.get("u@example.com/Inbox/Проекты/7.eml"));
        assertEquals(sha(new byte[0]), found.get("u@example.com/Junk.mbox").sha256());
    }

    @Test
    void aSymlinkInPlaceOfAFileIsAltered() throws Exception {
        Path target = Files.writeString(dir.resolveSibling(dir.getFileName() + "-outside"), "x");
        Files.writeString(dir.resolve("1.eml"), "x");
        String sum = sha("x".getBytes(StandardCharsets.US_ASCII));
        manifest(List.of(e("1.eml", 1, sum), e("2.eml", 1, sum)));
        try {
            Files.createSymbolicLink(dir.resolve("2.eml"), target);
            ExportCheck r = ExportCheck.of(dir);
            assertEquals(List.of("2.eml"), r.altered());
            assertEquals(1, r.matched());
        } finally {
            Files.delete(dir.resolve("2.eml"));
            Files.delete(target);
        }
    }

    @Test
    void manifestRoundTripsAndAnUnreadableOrMissingOneIsNamed() throws Exception {
        ExportManifest m = manifest(List.of(e("a.eml", 1, "ab")));
        assertEquals(m, ExportManifest.read(dir));
        assertTrue(new String(m.toJson(), StandardCharsets.UTF_8).contains("\"zmsnap_version\""));
        assertTrue(ExportCheck.of(dir).missing().contains("a.eml"));
        Files.writeString(dir.resolve(ExportManifest.FILE), "{not json");
        assertThrows(RestoreException.class, () -> ExportCheck.of(dir));
        Files.delete(dir.resolve(ExportManifest.FILE));
        assertThrows(RestoreUsageException.class, () -> ExportCheck.of(dir));
    }

    @Test
    void aNonEmptyDirectoryIsRefusedAndAnEmptyOrAbsentOneAccepted() throws Exception {
        assertEquals(dir.resolve("new").toAbsolutePath(), Exporter.refuseNonEmpty(dir.resolve("new")));
        assertFalse(Files.exists(dir.resolve("new")), "checking creates nothing");
        Exporter.refuseNonEmpty(dir);
        Files.writeString(dir.resolve(".hidden"), "");
        RestoreUsageException e = assertThrows(RestoreUsageException.class, () -> Exporter.refuseNonEmpty(dir));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertThrows(RestoreUsageException.class, () -> Exporter.refuseNonEmpty(dir.resolve(".hidden")));
    }

    private ExportManifest manifest(List<ExportManifest.FileEntry> files) {
        ExportManifest m = new ExportManifest(ExportManifest.VERSION, "test", "2026-11-30T22:00:00Z", List.of("zmsnap", "export"), "eml",
                new ExportManifest.Snapshot("zmsnap_manual_2026-11-30T21:00:00Z", "local", "mail1", "2026-11-30T21:00:00Z",
                        List.of(new ExportManifest.Dataset("tank/zimbra@zmsnap_manual_2026-11-30T21:00:00Z", "18446744073709551615",
                                "2026-11-30T21:00:00Z"))),
                List.of(new ExportManifest.Item("u@example.com", 1, "/Inbox", 257, "message", "2026-03-01T10:00:00Z", "a <a@x>",
                        "hi", 10, "a.eml", 1, "ab")), files, List.of());
        m.write(dir);
        return m;
    }
}
