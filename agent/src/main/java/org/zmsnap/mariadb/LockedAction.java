package org.zmsnap.mariadb;

import java.time.Duration;

/** Work done while the database is quiesced. {@code remaining} is what is left of the lock budget: bound the work by it. */
@FunctionalInterface
public interface LockedAction<T> {
    T run(Duration remaining) throws Exception;
}
