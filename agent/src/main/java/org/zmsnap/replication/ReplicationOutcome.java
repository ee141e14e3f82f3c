package org.zmsnap.replication;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * How one replication run to a target ended. {@link #result()} is the one vocabulary used in the CLI's text and
 * JSON, the metrics' {@code result} label, the recorded last run and {@code zmsnap targets}
 * (docs/replication.md, "Outcomes"): {@value #REPLICATED}, {@value #UP_TO_DATE}, {@value #NOTHING_ELIGIBLE},
 * {@value #REFUSED}, {@value #FAILED}.
 */
public sealed interface ReplicationOutcome {
    String REPLICATED = "replicated";
    String UP_TO_DATE = "up-to-date";
    String NOTHING_ELIGIBLE = "nothing-eligible";
    String REFUSED = "refused";
    String FAILED = "failed";
    List<String> RESULTS = List.of(REPLICATED, UP_TO_DATE, NOTHING_ELIGIBLE, REFUSED, FAILED);

    String target();

    /** One of {@link #RESULTS}. */
    String result();

    /** Why it is not a success; empty for {@value #REPLICATED} and {@value #UP_TO_DATE}. */
    default String reason() {
        return "";
    }

    /**
     * Every dataset is up to date with the newest set the target wants.
     *
     * @param newestCommon the newest set now on the target for every dataset
     */
    record Replicated(String target, long bytes, long nanos, List<String> steps, Optional<String> newestCommon,
                      Optional<Instant> newestCommonTime, int destroyedOnTarget) implements ReplicationOutcome {
        /** {@value #UP_TO_DATE} when this run had nothing to send, {@value #REPLICATED} when it sent something. */
        @Override
        public String result() {
            return steps.isEmpty() && bytes == 0 ? UP_TO_DATE : REPLICATED;
        }
    }

    /** Nothing was sent because no set is eligible for this target: none exists yet, or none of a kept policy. */
    record NothingEligible(String target, String reason) implements ReplicationOutcome {
        @Override
        public String result() {
            return NOTHING_ELIGIBLE;
        }
    }

    /** Refused before anything was changed on either side (divergence, no common snapshot). */
    record Refused(String target, String reason) implements ReplicationOutcome {
        @Override
        public String result() {
            return REFUSED;
        }
    }

    /**
     * A transfer failed part-way. The datasets done are listed; the failed increment was discarded by ZFS and is
     * restarted next run.
     */
    record Failed(String target, String reason, long bytes, List<String> datasetsDone) implements ReplicationOutcome {
        @Override
        public String result() {
            return FAILED;
        }
    }
}
