package org.zmsnap.verify;

import org.zmsnap.zimbra.RestoreException;

/**
 * The set cannot be verified now, and nothing was changed: a receive is writing into its copies, or another
 * zmsnap (a verify or a restore) kept it open past the wait. Exit 1 from the CLI; a daemon drill skips the source
 * until its next firing.
 */
public final class SetBusyException extends RestoreException {
    public SetBusyException(String message) {
        super(message);
    }
}
