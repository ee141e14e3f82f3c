package org.zmsnap.mariadb;

import java.time.Duration;

/** Work done while the database is quiesced. {@code remaining} is what is left of the lock budget: bound the work by it. */
@FunctionalInterface
public interface LockedAction<T> {
    T run(Duration remaining) throws Exception;

    /**
     * Called right before each attempt to take the lock, outside it: work that makes {@link #run} shorter (a ZFS
     * transaction-group sync, so the snapshot under the lock finds little to write). It must not throw; what fails
     * here only makes the window longer.
     */
    default void beforeAcquire() {}
}
