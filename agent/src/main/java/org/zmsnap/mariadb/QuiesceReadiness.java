package org.zmsnap.mariadb;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link Quiescer#readiness()} found: the server answered as this account, and which needed privileges
 * it lacks.
 *
 * @param server   version and where, e.g. "10.11.6-MariaDB on socket /run/mysqld/mysqld.sock as root"
 * @param account  the account as the server knows it ({@code CURRENT_USER()}, user@host)
 * @param granted  the account's global privileges (SHOW GRANTS)
 * @param needed   everything the quiesce method needs here ({@link Privileges#needed})
 * @param unsupported why the configured quiesce method cannot run on this server's version at all
 * @param lock     the lock a cycle takes on this server, and why when {@code quiesce: auto} chose it (empty: none)
 */
public record QuiesceReadiness(String server, String account, Set<String> granted, List<Privileges.Need> needed,
        Optional<String> unsupported, String lock) {
    public QuiesceReadiness {
        granted = Set.copyOf(granted);
        needed = List.copyOf(needed);
    }

    public QuiesceReadiness(String server, String account, Set<String> granted, List<Privileges.Need> needed) {
        this(server, account, granted, needed, Optional.empty(), "");
    }

    /** {@code quiesce: none}: nothing to reach, nothing needed. */
    public static QuiesceReadiness notUsed() {
        return new QuiesceReadiness("not used (quiesce: none)", "", Set.of(), List.of());
    }

    public List<Privileges.Need> missing() {
        return Privileges.missing(needed, granted);
    }

    public List<Privileges.Need> missingRequired() {
        return missing().stream().filter(Privileges.Need::required).toList();
    }
}
