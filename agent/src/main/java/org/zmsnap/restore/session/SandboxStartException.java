package org.zmsnap.restore.session;

import org.zmsnap.zimbra.RestoreException;

/**
 * The sandbox mariadbd did not come up on the cloned datadir (its error log's last lines are in the message):
 * for a restore a failure like any other, for a verify the finding that the set's database is damaged.
 */
public final class SandboxStartException extends RestoreException {
    public SandboxStartException(String message) {
        super(message);
    }
}
