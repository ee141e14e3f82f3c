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
 */
public record SetReport(SnapshotTag tag, List<DatasetName> datasets, SnapshotPlan.Kind method, QuiesceMethod quiesce,
                        long acquireMicros, long holdMicros, long snapshotMicros, boolean consistent, String note,
                        Optional<Positions> positions, int attempts, LockSteps steps) {
    public SetReport {
        datasets = List.copyOf(datasets);
    }
}
