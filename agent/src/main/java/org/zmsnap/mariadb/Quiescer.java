package org.zmsnap.mariadb;

import java.util.List;

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

    /**
     * Connects as the configured account and reads what it may do: the server's version, its global privileges
     * and what this quiesce method needs ({@link Privileges}).
     *
     * @throws QuiesceException when MariaDB cannot be reached or refuses the login
     */
    QuiesceReadiness readiness();

    /**
     * Checks that MariaDB answers and the account holds every privilege a cycle cannot do without; for start-up
     * readiness ({@code zmsnapd}, {@code zmsnapd --check}). {@code zmsnap check} shows the whole {@link #readiness()}.
     *
     * @throws QuiesceException naming what is missing and how to grant it
     */
    default void check() {
        QuiesceReadiness r = readiness();
        List<Privileges.Need> missing = r.missingRequired();
        if (!missing.isEmpty()) {
            throw new QuiesceException("the MariaDB account on " + r.server() + " lacks " + missing.stream()
                    .map(n -> n.name() + " (" + n.why() + ")").collect(java.util.stream.Collectors.joining(", "))
                    + "; as an admin run: " + Privileges.grantStatement(missing, r.account()), null);
        }
    }

    @Override
    void close();
}
