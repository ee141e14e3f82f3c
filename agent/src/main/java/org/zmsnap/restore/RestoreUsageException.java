package org.zmsnap.restore;

/** The operator asked for something that does not exist (exit 2): snapshot, account, folder, item. */
public final class RestoreUsageException extends RestoreException {
    public RestoreUsageException(String message) {
        super(message);
    }
}
