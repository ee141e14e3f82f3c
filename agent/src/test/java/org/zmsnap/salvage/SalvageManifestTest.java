package org.zmsnap.salvage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.zimbra.RestoreException;
import org.zmsnap.zimbra.RestoreUsageException;

class SalvageManifestTest {
    @TempDir
    Path dir;

    static SalvageItem item(int id, String file, String sha) {
        return new SalvageItem("anna@example.com", "6b3c-uuid", 7, id, "message", "/Inbox/Проекты", List.of("\\Seen", "\\Flagged"),
                32, false, List.of("work", "Ω"), "2026-11-30T10:15:00Z", 1234, file, sha, "eml", "Grüße");
    }

    static SalvageManifest manifest(List<SalvageItem> items) {
        return new SalvageManifest(1, "2026-11-30T12:00:00Z", "mbox1", "zmsnap_hourly_2026-11-30T11:00:00Z",
                "zmsnap_salvage_2026-11-30T12:00:00Z", items, List.of("bob@example.com message 9: blob missing; not exported"));
    }

    @Test
    void roundTripKeepsEveryFieldAndUsesSnakeCase() throws Exception {
        SalvageManifest m = manifest(List.of(item(300, "anna@example.com/Inbox/Проекты/300.eml", "ab".repeat(32))));
        Path file = m.write(dir);
        assertEquals(dir.resolve("manifest.json"), file);
        SalvageManifest back = SalvageManifest.read(dir);
        assertEquals(m, back);
        String json = new String(m.toJson(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"salvage_time\"") && json.contains("\"zimbra_id\"") && json.contains("\"item_id\"")
                && json.contains("\"zimbra_flags\""), json);
        assertArrayEquals(m.toJson(), manifest(m.items()).toJson(), "the same export gives the same bytes");
        try (var s = Files.list(dir)) {
            assertEquals(List.of(file), s.toList(), "no temporary file left");
        }
    }

    @Test
    void aMissingManifestIsAUsageErrorSayingTheExportDidNotFinish() {
        RestoreUsageException e = assertThrows(RestoreUsageException.class, () -> SalvageManifest.read(dir));
        assertTrue(e.getMessage().contains("no manifest.json") && e.getMessage().contains("did not finish"), e.getMessage());
    }

    @Test
    void badManifestsAreRefusedByName() throws Exception {
        Files.writeString(dir.resolve("manifest.json"), "{not json");
        assertTrue(assertThrows(RestoreUsageException.class, () -> SalvageManifest.read(dir)).getMessage().contains("not a salvage manifest"));
        String escaping = new String(manifest(List.of(item(1, "../etc/passwd", "ab".repeat(32)))).toJson(), StandardCharsets.UTF_8);
        assertTrue(assertThrows(RestoreUsageException.class, () -> SalvageManifest.fromJson(escaping.getBytes(StandardCharsets.UTF_8), "m"))
                .getMessage().contains("not a plain path"));
        String absolute = new String(manifest(List.of(item(1, "/etc/passwd", "ab".repeat(32)))).toJson(), StandardCharsets.UTF_8);
        assertThrows(RestoreUsageException.class, () -> SalvageManifest.fromJson(absolute.getBytes(StandardCharsets.UTF_8), "m"));
        String badSha = new String(manifest(List.of(item(1, "a/1.eml", "xyz"))).toJson(), StandardCharsets.UTF_8);
        assertTrue(assertThrows(RestoreUsageException.class, () -> SalvageManifest.fromJson(badSha.getBytes(StandardCharsets.UTF_8), "m"))
                .getMessage().contains("64 hex digits"));
        String v2 = new String(manifest(List.of()).toJson(), StandardCharsets.UTF_8).replace("\"version\" : 1", "\"version\" : 2");
        assertTrue(assertThrows(RestoreUsageException.class, () -> SalvageManifest.fromJson(v2.getBytes(StandardCharsets.UTF_8), "m"))
                .getMessage().contains("version 2"));
    }

    @Test
    void verifyRefusesAChangedOrMissingFileAndNamesIt() throws Exception {
        byte[] content = "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        Path f = dir.resolve("anna@example.com/Inbox/300.eml");
        SalvageFiles.write(f, content, null);
        SalvageManifest m = manifest(List.of(item(300, "anna@example.com/Inbox/300.eml", SalvageFiles.sha256(content)),
                item(301, "anna@example.com/Inbox/301.eml", SalvageFiles.sha256(content))));
        RestoreException e = assertThrows(RestoreException.class, () -> SalvageRedelivery.verify(dir, m));
        assertTrue(e.getMessage().contains("301.eml: missing") && !e.getMessage().contains("300.eml"), e.getMessage());
        SalvageManifest one = manifest(List.of(m.items().get(0)));
        SalvageRedelivery.verify(dir, one);
        Files.write(f, "Subject: y\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
        e = assertThrows(RestoreException.class, () -> SalvageRedelivery.verify(dir, one));
        assertTrue(e.getMessage().contains("300.eml: sha256") && e.getMessage().contains("nothing was delivered"), e.getMessage());
    }

    @Test
    void theDigestIsHandedToBlobReaderInZimbrasForm() {
        byte[] content = "x".repeat(1000).getBytes(StandardCharsets.US_ASCII);
        String z = SalvageRedelivery.zimbraDigest(SalvageFiles.sha256(content));
        assertEquals(44, z.length());
        assertFalse(z.contains("/"));
        assertTrue(org.zmsnap.zimbra.BlobReader.read(writeTo(content), z) instanceof org.zmsnap.zimbra.BlobContent.Ok);
    }

    private Path writeTo(byte[] content) {
        Path p = dir.resolve("blob");
        SalvageFiles.write(p, content, null);
        return p;
    }

    @Test
    void theDefaultFolderIsNamedForTheSalvagedStatesUtcDate() {
        assertEquals("Recovered 2026-11-30", SalvageRedelivery.defaultFolder(manifest(List.of())));
    }
}
