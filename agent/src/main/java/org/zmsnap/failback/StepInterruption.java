package org.zmsnap.failback;

import java.util.Optional;

/**
 * Test-only: {@code -Dzmsnap.test.failAfterStep=NAME} makes {@code zmsnap failback} (and {@code failback handback}) stop
 * the JVM right after the step boundary NAME, the first time it is reached, with {@link Runtime#halt} — no shutdown
 * hook, no cleanup, no outcome printed: as a SIGKILL or a power cut there would. {@code FailbackResumeIT} uses it to
 * prove that a rerun continues from every boundary. Without the property (production) it does nothing.
 *
 * <p>The names: {@code salvage-mark} (the first dataset marked), {@code salvage-snapshot} (the salvage snapshots taken,
 * not yet held), {@code salvage-export} (manifest written), {@code unmount}, {@code rename}, {@code clone},
 * {@code promote} (each after the first dataset's), {@code fence} (the first dataset fenced), {@code receive} (every
 * set received, before the cutover), {@code cutover-mount} (the first dataset live and mounted), {@code cutover-mark}
 * (the first salvage mark removed); on the DR host {@code handback-snapshot} (the final set taken) and
 * {@code handback-copy} (the first copy handed back).
 */
final class StepInterruption {
    static final String PROPERTY = "zmsnap.test.failAfterStep";
    /** The exit status of a process killed by SIGKILL, which the halt imitates. */
    private static final int KILLED = 137;

    private final Optional<String> haltAfter;

    private StepInterruption(Optional<String> haltAfter) {
        this.haltAfter = haltAfter;
    }

    /** The one place the property is read. */
    static StepInterruption fromSystemProperty() {
        return new StepInterruption(Optional.ofNullable(System.getProperty(PROPERTY)).filter(s -> !s.isBlank()));
    }

    /** Called at each boundary: halts there when the property names it. */
    void after(String step) {
        if (haltAfter.isPresent() && haltAfter.get().equals(step)) {
            System.err.println("zmsnap: test interruption after step '" + step + "' (" + PROPERTY + ")");
            System.err.flush();
            Runtime.getRuntime().halt(KILLED);
        }
    }
}
