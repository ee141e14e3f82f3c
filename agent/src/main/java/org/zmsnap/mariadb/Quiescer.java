package org.zmsnap.mariadb;

/**
 * Quiesces MariaDB around one action, releasing the lock within its budget whatever happens.
 * Implementations: {@link DatabaseQuiescer} (FTWRL or BACKUP STAGE) and {@link NoQuiescer}.
 */
public interface Quiescer extends AutoCloseable {
    /**
     * Runs {@code action} under the lock. If the lock cannot be had within the budget and retry window, the
     * action does not run and the outcome says why.
     *
     * @throws QuiesceException when MariaDB cannot be used at all (unreachable, access denied)
     */
    <T> Quiesced<T> run(LockedAction<T> action);

    /** Checks that MariaDB answers and the account may lock; for start-up readiness and config checks. */
    void check();

    @Override
    void close();
}
