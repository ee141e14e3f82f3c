package org.zmsnap.zimbra;

/** The operator asked for something that does not exist (exit 2): snapshot, account, folder, item. */
public final class RestoreUsageException extends RestoreException {
    public RestoreUsageException(String message) {
        super(message);
    }
}
