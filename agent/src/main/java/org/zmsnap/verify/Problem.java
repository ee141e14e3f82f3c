package org.zmsnap.verify;

import java.util.Locale;

/**
 * One thing wrong in a verified set.
 *
 * @param mailbox the mailbox id; 0 for problems of the database as a whole
 * @param account the account's address (zimbra.mailbox.comment), empty when unknown
 * @param item    the mail_item id; 0 when the problem is not one item's
 * @param folder  the item's folder path (or "#id" when the folder has no path), empty when none applies
 */
public record Problem(int mailbox, String account, int item, String folder, Kind kind, String detail) {
    public enum Kind {
        MISSING_BLOB, SIZE_MISMATCH, DIGEST_MISMATCH, UNREADABLE_GZIP, DB_ERROR, ORPHAN_FOLDER, UNKNOWN_VOLUME;

        /** As printed and in JSON: {@code missing-blob}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public static Problem database(String detail) {
        return new Problem(0, "", 0, "", Kind.DB_ERROR, detail);
    }
}
