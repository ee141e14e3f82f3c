package org.zmsnap.zfs;

/**
 * A snapshot call was given up at its bound while the kernel was still in the ioctl: it finishes or fails on its
 * own, so the snapshots may still appear after the caller has looked for them.
 */
public final class SnapshotStillRunningException extends ZfsException {
    private static final long serialVersionUID = 1L;

    public SnapshotStillRunningException(String message) {
        super(message);
    }
}
