package org.zmsnap.restore.target;

import java.util.LinkedHashSet;
import java.util.Set;
import org.zmsnap.zimbra.MailItem;

/** Zimbra's flag bits and unread column → IMAP system flags (\Deleted is not restored: it would be expunged). */
public final class ImapFlags {
    static final int REPLIED = 4;
    static final int FLAGGED = 32;
    static final int DRAFT = 64;

    private ImapFlags() {}

    public static Set<String> of(MailItem m) {
        Set<String> f = new LinkedHashSet<>();
        if (!m.unread()) {
            f.add("\\Seen");
        }
        if ((m.flags() & REPLIED) != 0) {
            f.add("\\Answered");
        }
        if ((m.flags() & FLAGGED) != 0) {
            f.add("\\Flagged");
        }
        if ((m.flags() & DRAFT) != 0) {
            f.add("\\Draft");
        }
        return f;
    }

    /** Maildir info suffix letters, in the ASCII order the spec asks for. */
    public static String maildirInfo(MailItem m) {
        StringBuilder sb = new StringBuilder(":2,");
        if ((m.flags() & DRAFT) != 0) {
            sb.append('D');
        }
        if ((m.flags() & FLAGGED) != 0) {
            sb.append('F');
        }
        if ((m.flags() & REPLIED) != 0) {
            sb.append('R');
        }
        if (!m.unread()) {
            sb.append('S');
        }
        return sb.toString();
    }
}
