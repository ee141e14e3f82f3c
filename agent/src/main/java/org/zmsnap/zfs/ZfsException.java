package org.zmsnap.zfs;

/** A ZFS operation failed; the message names the operation, the dataset and ZFS's own words. */
public class ZfsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ZfsException(String message, Throwable cause) {
        super(message, cause);
    }

    public ZfsException(String message) {
        super(message);
    }
}
