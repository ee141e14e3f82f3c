package org.zmsnap.restore.target.imap;

import org.zmsnap.zimbra.RestoreException;

/** The IMAP server refused a command or the connection failed. */
public final class ImapException extends RestoreException {
    public ImapException(String message) {
        super(message);
    }

    public ImapException(String message, Throwable cause) {
        super(message, cause);
    }
}
