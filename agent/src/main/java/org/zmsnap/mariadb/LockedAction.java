package org.zmsnap.mariadb;

import java.time.Duration;

/**
 * Work done while the database is quiesced. {@code remaining} is what is left of the lock budget. Work that runs
 * longer is not stopped by the quiescer: the watchdog ends the lock at the budget whatever the work does, and the
 * outcome says the lock was not held throughout ({@link LockOutcome.Held#heldThroughout()}). Bound the work by
 * {@code remaining} when what it makes is of no use after the lock; by a longer bound when it still is.
 */
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
