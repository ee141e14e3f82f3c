package org.zmsnap.mariadb;

import java.util.Optional;

/**
 * The lock outcome together with what the action returned or threw. When the lock was not acquired the
 * action did not run and both are empty.
 */
public record Quiesced<T>(LockOutcome lock, Optional<T> value, Optional<Exception> failure) {}
