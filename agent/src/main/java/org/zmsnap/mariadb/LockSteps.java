package org.zmsnap.mariadb;

/**
 * Where one lock cycle's time went, in microseconds. Before the lock (writers not blocked), in this order:
 * {@code beforeAcquire} (the action's preparation, e.g. a txg sync) and {@code preflush} (redo flush setting to 1 and
 * the redo log written out). Inside the hold: {@code flush} (FLUSH ENGINE LOGS, what the pre-flush left), {@code action} (the
 * snapshot), {@code positionsWait} (how long the positions read, run alongside the action, kept the lock after the
 * action ended; usually 0), {@code release} (UNLOCK TABLES or BACKUP STAGE END). {@code positions} is the read's
 * own duration, overlapped with the action. After: {@code restore} (the flush setting back).
 */
public record LockSteps(long preflushMicros, long beforeAcquireMicros, long flushMicros, long actionMicros,
                        long positionsMicros, long positionsWaitMicros, long releaseMicros, long restoreMicros) {
    public static final LockSteps NONE = new LockSteps(0, 0, 0, 0, 0, 0, 0, 0);

    /** The hold's steps added up; the rest of the hold is this process's own bookkeeping between them. */
    public long insideMicros() {
        return flushMicros + actionMicros + positionsWaitMicros + releaseMicros;
    }
}
