package org.zmsnap.mariadb;

import org.zmsnap.config.QuiesceMethod;

/** How the attempt to quiesce the database ended. */
public sealed interface LockOutcome {
    QuiesceMethod method();

    /**
     * The lock was held while the action ran.
     *
     * @param heldThroughout false when the session died or was killed before the action finished: whatever the
     *                       action captured is then crash-consistent only
     * @param steps          where the time went, before, inside and after the hold
     */
    record Held(QuiesceMethod method, long acquireMicros, long holdMicros, boolean heldThroughout,
                boolean redoFlushed, Positions positions, int attempts, LockSteps steps) implements LockOutcome {}

    /** The lock was not taken in time (a long write, a competing backup); the action did not run under it. */
    record NotAcquired(QuiesceMethod method, String reason, long waitedMicros, int attempts) implements LockOutcome {}

    /** {@code quiesce: none}: no lock was requested. */
    record NotRequested(QuiesceMethod method) implements LockOutcome {}
}
