package org.zmsnap.restore;

import org.zmsnap.zimbra.MailItem;

/** Told after each item; the CLI draws a bar on a terminal and plain lines otherwise. */
@FunctionalInterface
public interface RestoreProgress {
    RestoreProgress NONE = (done, total, item, what) -> {};

    void item(int done, int total, MailItem item, String what);
}
