package org.zmsnap.mariadb;

import org.zmsnap.config.QuiesceMethod;

/** How the attempt to quiesce the database ended. */
public sealed interface LockOutcome {
    QuiesceMethod method();

    /**
     * The lock was held while the action ran.
     *
     * @param heldThroughout false when the lock ended (the session died, or the watchdog killed it at the budget)
     *                       before the action and the positions were done: whatever the action captured is then
     *                       crash-consistent only, and the positions do not describe it
     * @param holdMicros     how long writers were blocked: from the acquire to the release, or to the watchdog's kill
     *                       when that came first (an action may go on after it)
     * @param steps          where the time went, before, inside and after the hold
     */
    record Held(QuiesceMethod method, long acquireMicros, long holdMicros, boolean heldThroughout,
                boolean redoFlushed, Positions positions, int attempts, LockSteps steps) implements LockOutcome {}

    /** The lock was not taken in time (a long write, a competing backup); the action did not run under it. */
    record NotAcquired(QuiesceMethod method, String reason, long waitedMicros, int attempts) implements LockOutcome {}

    /** {@code quiesce: none}: no lock was requested. */
    record NotRequested(QuiesceMethod method) implements LockOutcome {}
}
