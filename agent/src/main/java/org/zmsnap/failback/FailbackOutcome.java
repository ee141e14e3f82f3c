package org.zmsnap.failback;

import java.util.List;
import java.util.Optional;

/** How a {@code zmsnap failback} run on the old mailbox host ended. */
public sealed interface FailbackOutcome {
    /** Nothing was changed. {@code usage}: exit 2, else 1. */
    record Refused(String reason, boolean usage) implements FailbackOutcome {}

    /**
     * The plan, nothing changed.
     *
     * @param bytesToSend what the DR copies hold after the common set (-1: the DR host's ZFS cannot say)
     */
    record DryRun(String common, Optional<String> salvage, List<String> steps, long bytesToSend, long available)
            implements FailbackOutcome {
        public DryRun {
            steps = List.copyOf(steps);
        }
    }

    /**
     * Every step of this run is done.
     *
     * @param live     the old host is live again on the DR host's final set (the cutover ran, or had run)
     * @param salvaged the export's summary, when this run exported
     */
    record Done(String common, Optional<String> salvage, List<String> steps, long bytes, boolean live,
                Optional<String> finalSet, Optional<Salvage.Summary> salvaged) implements FailbackOutcome {
        public Done {
            steps = List.copyOf(steps);
        }
    }

    /** A step failed; {@code done} were carried out first. Running failback again continues from what is there. */
    record Failed(String step, String reason, List<String> done) implements FailbackOutcome {
        public Failed {
            done = List.copyOf(done);
        }
    }
}
