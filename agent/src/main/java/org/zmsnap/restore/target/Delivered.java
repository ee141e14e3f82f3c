package org.zmsnap.restore.target;

/** What a restore target did with one item. */
public sealed interface Delivered {
    record Written(String where) implements Delivered {}

    /** Already there from an earlier run: not written again. */
    record AlreadyPresent(String where) implements Delivered {}

    /** The target would not take it (an IMAP server's NO, say); the restore goes on with the next item. */
    record Refused(String where, String reason) implements Delivered {}
}
