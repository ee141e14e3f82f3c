package org.zmsnap.salvage;

import java.util.List;

/**
 * One salvaged item as the manifest records it.
 *
 * @param type        message, contact, appointment, task or document (restore's type names)
 * @param folder      the folder path on the old host ("/Inbox/Проекты")
 * @param flags       IMAP system flags (\Seen, \Answered, \Flagged, \Draft), as restore sets them
 * @param zimbraFlags mail_item.flags as stored (bitmask; unread is not in it)
 * @param date        the item's date, ISO-8601 UTC
 * @param size        bytes of the file
 * @param file        relative to the salvage directory, '/'-separated
 * @param sha256      of the file, lowercase hex
 * @param format      eml, vcf, ics or file (a document's own bytes); an appointment whose invite has no
 *                    text/calendar part is kept as eml (its stored MIME)
 * @param subject     the subject (messages) or name (documents, appointments); may be null
 */
public record SalvageItem(String account, String zimbraId, int mailboxId, int itemId, String type, String folder,
                          List<String> flags, int zimbraFlags, boolean unread, List<String> tags, String date, long size,
                          String file, String sha256, String format, String subject) {
    public SalvageItem {
        flags = flags == null ? List.of() : List.copyOf(flags);
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    public boolean message() {
        return "message".equals(type);
    }
}
