package org.zmsnap.zimbra;

import java.time.Instant;

/**
 * One mail_item row as restore needs it.
 *
 * @param date    received date (unix seconds in the table)
 * @param locator  the blob's volume id as a string; null for items without a blob
 * @param metadata the row's encoded metadata; read for contacts only (their fields live there), null otherwise
 * @param changed  when the row last changed ({@code change_date}, mailboxd's clock); null when the column is NULL or
 *                 the row was not read from a table (verify digests such a row in any mode)
 */
public record MailItem(int id, int type, int folderId, Instant date, long size, String locator, String digest,
                       boolean unread, int flags, String sender, String recipients, String subject, String name,
                       int modContent, String metadata, Instant changed) {
    public static final int FOLDER = 1;
    public static final int MESSAGE = 5;
    public static final int CONTACT = 6;
    public static final int DOCUMENT = 8;
    public static final int APPOINTMENT = 11;
    public static final int TASK = 15;

    /** A row without a known change date: built in tests, or from something other than a table. */
    public MailItem(int id, int type, int folderId, Instant date, long size, String locator, String digest, boolean unread,
                    int flags, String sender, String recipients, String subject, String name, int modContent, String metadata) {
        this(id, type, folderId, date, size, locator, digest, unread, flags, sender, recipients, subject, name, modContent,
                metadata, null);
    }

    public boolean contact() {
        return type == CONTACT;
    }

    public boolean message() {
        return type == MESSAGE;
    }

    public boolean hasBlob() {
        return locator != null && !locator.isBlank();
    }

    public String typeName() {
        return switch (type) {
            case 1 -> "folder";
            case 2 -> "search folder";
            case 3 -> "tag";
            case 4 -> "conversation";
            case 5 -> "message";
            case 6 -> "contact";
            case 8 -> "document";
            case 9 -> "note";
            case 11 -> "appointment";
            case 13 -> "mountpoint";
            case 15 -> "task";
            case 16 -> "chat";
            default -> "type " + type;
        };
    }
}
