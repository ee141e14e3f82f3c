package org.zmsnap.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How to reach MariaDB and how to quiesce it.
 *
 * @param lockBudget    the longest writers may be blocked by a cycle: acquire wait plus hold
 * @param retryWindow   how long a cycle keeps backing off while a long write would make the lock queue writers
 */
public record MariaDbConfig(Optional<Path> socket, Optional<String> url, String user, Credentials credentials,
                            QuiesceMethod quiesce, Duration lockBudget, OnLockFailure onLockFailure,
                            Duration connectTimeout, Duration retryWindow) {
    /** A DR host's: no database of its own to quiesce. */
    public static MariaDbConfig none() {
        return new MariaDbConfig(Optional.empty(), Optional.empty(), "root", new Credentials.None(), QuiesceMethod.NONE,
                Duration.ofSeconds(2), OnLockFailure.CRASH_CONSISTENT, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }
}
