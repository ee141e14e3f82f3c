package org.zmsnap.snapshot;

import java.util.List;
import java.util.Optional;
import org.zmsnap.config.QuiesceMethod;
import org.zmsnap.mariadb.LockSteps;
import org.zmsnap.mariadb.Positions;
import org.zmsnap.zfs.DatasetName;

/**
 * What a cycle took.
 *
 * @param acquireMicros time from issuing the lock statement until it was held (0 without a lock)
 * @param holdMicros    time the lock was held, i.e. writers were blocked after acquire (0 without a lock)
 * @param consistent    the database lock was held for the whole snapshot and the redo log was durable
 * @param note          why a set is not consistent, empty otherwise
 * @param steps         where the lock cycle's time went ({@link LockSteps#NONE} without a lock)
 * @param gateWaitMicros how long the cycle waited at the {@link org.zmsnap.zfs.ZfsWorkGate} for zmsnap's own zfs work
 *                       (replication, retention) to finish before taking the lock
 * @param gateForced    that work was still running after the wait's bound (the lock budget): the cycle went ahead
 */
public record SetReport(SnapshotTag tag, List<DatasetName> datasets, SnapshotPlan.Kind method, QuiesceMethod quiesce,
                        long acquireMicros, long holdMicros, long snapshotMicros, boolean consistent, String note,
                        Optional<Positions> positions, int attempts, LockSteps steps, long gateWaitMicros, boolean gateForced) {
    public SetReport {
        datasets = List.copyOf(datasets);
    }

    /** Before the gate's passage is known. */
    public SetReport(SnapshotTag tag, List<DatasetName> datasets, SnapshotPlan.Kind method, QuiesceMethod quiesce,
                     long acquireMicros, long holdMicros, long snapshotMicros, boolean consistent, String note,
                     Optional<Positions> positions, int attempts, LockSteps steps) {
        this(tag, datasets, method, quiesce, acquireMicros, holdMicros, snapshotMicros, consistent, note, positions, attempts, steps,
                0, false);
    }

    /** The same report with what the cycle's pass through the ZFS work gate cost. */
    public SetReport withGate(org.zmsnap.zfs.ZfsWorkGate.Passage p) {
        return new SetReport(tag, datasets, method, quiesce, acquireMicros, holdMicros, snapshotMicros, consistent, note, positions,
                attempts, steps, p.waitNanos() / 1000, p.forced());
    }
}
