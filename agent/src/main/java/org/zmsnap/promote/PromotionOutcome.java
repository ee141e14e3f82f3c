package org.zmsnap.promote;

import java.util.List;

/** How a promotion ended. */
public sealed interface PromotionOutcome {
    /** One step carried out (or, in a dry run, shown), with how long it took. */
    record StepTime(Step step, long micros) {}

    /**
     * Done: the set is live.
     *
     * @param surveyMicros reading the copies, mounts and processes and deciding, before anything changed
     * @param totalMicros  survey and every step
     */
    record Promoted(PromotionPlan.Ready plan, List<StepTime> steps, long surveyMicros, long totalMicros) implements PromotionOutcome {
        public Promoted {
            steps = List.copyOf(steps);
        }
    }

    /** --dry-run: what would be done; nothing was changed. */
    record DryRun(PromotionPlan.Ready plan, long surveyMicros) implements PromotionOutcome {}

    /** Nothing was changed. {@code busy}: a pull or a receive is running (exit 1); else bad input (exit 2). */
    record Refused(String reason, boolean busy) implements PromotionOutcome {}

    /** A step failed: {@code done} were carried out, the rest not. The reason says what to do. */
    record Failed(PromotionPlan.Ready plan, String reason, List<StepTime> done, Step failed) implements PromotionOutcome {
        public Failed {
            done = List.copyOf(done);
        }
    }
}
