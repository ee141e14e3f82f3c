package org.zmsnap.restore.target;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.zmsnap.zimbra.CalendarData;
import org.zmsnap.zimbra.MailItem;
import org.zmsnap.zimbra.RestoreException;
import org.zmsnap.zimbra.VCard;

/**
 * Items that are not messages, as the files people open: a contact as {@code <id>.vcf} (its row's fields as a
 * vCard), an appointment or task as {@code <id>.ics} (the iCalendar Zimbra stored; the stored MIME as {@code <id>.eml}
 * when it has none), a document as the original file under its own name. One place decides both the bytes and the
 * name, so every files target (eml, maildir, mbox, and export) writes the same.
 */
public final class ItemFiles {
    /** Room for the ".<name>.tmp" a write goes through, within the 255 bytes most file systems allow. */
    private static final int MAX_NAME_BYTES = 240;

    private ItemFiles() {}

    /**
     * What is written for {@code item}: a contact's vCard (from its metadata; {@code blob} is not needed), a calendar
     * item's iCalendar (or its blob as stored when it has none), a document's blob as it is.
     */
    public static byte[] content(MailItem item, byte[] blob) {
        if (item.contact()) {
            return VCard.bytes(item.id(), org.zmsnap.zimbra.Metadata.contactFields(item.metadata()));
        }
        if (calendar(item)) {
            return CalendarData.ics(blob).orElse(blob);
        }
        return blob;
    }

    public static boolean calendar(MailItem item) {
        return item.type() == MailItem.APPOINTMENT || item.type() == MailItem.TASK;
    }

    /** The file name for {@code content} (what {@link #content} gave), before any disambiguation. */
    public static String fileName(MailItem item, byte[] content) {
        if (item.contact()) {
            return item.id() + ".vcf";
        }
        if (calendar(item)) {
            return item.id() + (CalendarData.isCalendar(content) ? ".ics" : ".eml");
        }
        if (item.type() == MailItem.DOCUMENT) {
            return sanitize(item.name(), "document-" + item.id());
        }
        return OutputDirs.fileName(item, item.typeName());
    }

    /**
     * Writes {@code content} into {@code dir} under {@link #fileName}. A document whose name is taken by a file with
     * other bytes (another document whose name sanitises alike, a case-insensitive file system, an earlier restore)
     * goes to {@code <name> (<id>).<ext>}, and if that too holds other bytes, {@code <name> (<id>.<mod_content>).<ext>}:
     * the same item always lands on the same name, so a rerun finds what it wrote.
     */
    public static Delivered write(Path dir, MailItem item, byte[] content) {
        String name = fileName(item, content);
        if (item.type() != MailItem.DOCUMENT) {
            return EmlWriter.write(dir.resolve(name), item, content);
        }
        for (String candidate : new String[] {name, tagged(name, String.valueOf(item.id())),
                tagged(name, item.id() + "." + item.modContent())}) {
            Path file = dir.resolve(candidate);
            if (!Files.exists(file)) {
                return EmlWriter.write(file, item, content);
            }
            if (same(file, content)) {
                return new Delivered.AlreadyPresent(file.toString());
            }
        }
        return new Delivered.Refused(dir.toString(), "the names " + name + ", " + tagged(name, String.valueOf(item.id()))
                + " and " + tagged(name, item.id() + "." + item.modContent()) + " all hold other files; move them away and rerun");
    }

    private static boolean same(Path file, byte[] content) {
        try {
            return Files.isRegularFile(file) && Files.size(file) == content.length && Arrays.equals(Files.readAllBytes(file), content);
        } catch (IOException e) {
            throw new RestoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** "Bericht.txt" + 4711 → "Bericht (4711).txt"; a name without extension gets the tag at its end. */
    static String tagged(String name, String tag) {
        int dot = name.lastIndexOf('.');
        boolean ext = dot > 0 && name.length() - dot <= 16;
        return ext ? name.substring(0, dot) + " (" + tag + ")" + name.substring(dot) : name + " (" + tag + ")";
    }

    /**
     * A name the file system takes as one plain file in the folder: '/', '\', NUL and control characters become '_',
     * surrounding white space goes, ".", ".." and an empty name become {@code fallback}, and a name longer than the
     * file system allows is shortened (its extension kept, never inside a UTF-8 character).
     */
    static String sanitize(String name, String fallback) {
        if (name == null) {
            return fallback;
        }
        StringBuilder sb = new StringBuilder(name.length());
        name.strip().codePoints().forEach(cp -> {
            if (cp == '/' || cp == '\\' || cp < 0x20 || cp == 0x7f) {
                sb.append('_');
            } else {
                sb.appendCodePoint(cp);
            }
        });
        String s = sb.toString();
        if (s.isEmpty() || s.equals(".") || s.equals("..")) {
            return fallback;
        }
        if (s.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES) {
            return s;
        }
        int dot = s.lastIndexOf('.');
        String ext = dot > 0 && s.length() - dot <= 16 ? s.substring(dot) : "";
        String base = ext.isEmpty() ? s : s.substring(0, dot);
        int room = MAX_NAME_BYTES - ext.getBytes(StandardCharsets.UTF_8).length;
        StringBuilder cut = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < base.length(); ) {
            int cp = base.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > room) {
                break;
            }
            cut.appendCodePoint(cp);
            bytes += n;
            i += Character.charCount(cp);
        }
        return cut + ext;
    }
}
