package org.zmsnap.zimbra;

/** A restore could not be done (exit 1): a clone, the sandbox database, a blob, the IMAP server. */
public class RestoreException extends RuntimeException {
    public RestoreException(String message) {
        super(message);
    }

    public RestoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
