package org.zmsnap.restore.target;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.zimbra.MailItem;

class ItemFilesTest {
    @TempDir
    Path dir;

    private static MailItem doc(int id, String name) {
        return new MailItem(id, MailItem.DOCUMENT, 16, Instant.ofEpochSecond(1_700_000_000L), 3, "1", "d", false, 0, null, null,
                null, name, 7, null);
    }

    private static MailItem appointment(int id) {
        return new MailItem(id, MailItem.APPOINTMENT, 10, Instant.ofEpochSecond(1_700_000_000L), 3, "1", "d", false, 0, null, null,
                "Jour fixe", null, 7, null);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aDocumentKeepsItsNameMadeSafe() {
        assertEquals("Bericht 2026.pdf", ItemFiles.fileName(doc(1, "Bericht 2026.pdf"), b("x")));
        assertEquals("a_b_c_d.txt", ItemFiles.fileName(doc(1, "a/b\\c\u0001d.txt"), b("x")));
        assertEquals("document-5", ItemFiles.fileName(doc(5, ".."), b("x")));
        assertEquals("document-6", ItemFiles.fileName(doc(6, "  "), b("x")));
        assertEquals("Проект.odt", ItemFiles.fileName(doc(1, " Проект.odt "), b("x")));
        String longName = "Ω".repeat(200) + ".docx"; // 405 bytes
        String cut = ItemFiles.fileName(doc(1, longName), b("x"));
        assertTrue(cut.endsWith(".docx") && cut.getBytes(StandardCharsets.UTF_8).length <= 240, cut);
    }

    @Test
    void collidingNamesAreDisambiguatedByIdAndARerunFindsEach() throws Exception {
        MailItem first = doc(300, "a/b.txt");
        MailItem second = doc(301, "a_b.txt");
        assertInstanceOf(Delivered.Written.class, ItemFiles.write(dir, first, b("one")));
        assertInstanceOf(Delivered.Written.class, ItemFiles.write(dir, second, b("two")));
        assertEquals("one", Files.readString(dir.resolve("a_b.txt")));
        assertEquals("two", Files.readString(dir.resolve("a_b (301).txt")));
        // a rerun: each finds its own file, nothing is written again or overwritten
        assertInstanceOf(Delivered.AlreadyPresent.class, ItemFiles.write(dir, first, b("one")));
        assertInstanceOf(Delivered.AlreadyPresent.class, ItemFiles.write(dir, second, b("two")));
        // another version of 301 (a newer snapshot) with its id-name taken: the change number tells them apart
        assertInstanceOf(Delivered.Written.class, ItemFiles.write(dir, second, b("two, edited")));
        assertEquals("two, edited", Files.readString(dir.resolve("a_b (301.7).txt")));
        assertEquals("two", Files.readString(dir.resolve("a_b (301).txt")));
        assertEquals("Bericht (9)", ItemFiles.tagged("Bericht", "9"));
    }

    @Test
    void aCalendarItemIsItsICalendarOrItsStoredMime() {
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
        byte[] mime = b("Content-Type: text/calendar\r\n\r\n" + ics);
        byte[] content = ItemFiles.content(appointment(4), mime);
        assertArrayEquals(b(ics), content);
        assertEquals("4.ics", ItemFiles.fileName(appointment(4), content));
        byte[] none = b("Content-Type: text/plain\r\n\r\nno calendar here\r\n");
        assertArrayEquals(none, ItemFiles.content(appointment(5), none));
        assertEquals("5.eml", ItemFiles.fileName(appointment(5), none));
    }
}
