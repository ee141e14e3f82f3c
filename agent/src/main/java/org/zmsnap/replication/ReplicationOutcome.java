package org.zmsnap.replication;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** How one replication run to a target ended. */
public sealed interface ReplicationOutcome {
    String target();

    /**
     * Every dataset is up to date with the newest set the target wants.
     *
     * @param newestCommon the newest set now on the target for every dataset (empty: nothing wanted yet)
     */
    record Replicated(String target, long bytes, long nanos, List<String> steps, Optional<String> newestCommon,
                      Optional<Instant> newestCommonTime, int destroyedOnTarget) implements ReplicationOutcome {}

    /** Refused before anything was changed on either side (divergence, no common snapshot). */
    record Refused(String target, String reason) implements ReplicationOutcome {}

    /**
     * A transfer failed part-way. The datasets done are listed; the failed increment was discarded by ZFS and is
     * restarted next run.
     */
    record Failed(String target, String reason, long bytes, List<String> datasetsDone) implements ReplicationOutcome {}
}
