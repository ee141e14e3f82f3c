package org.zmsnap.mariadb;

import java.time.Duration;
import java.util.Optional;
import org.zmsnap.config.QuiesceMethod;

/** {@code quiesce: none}: runs the action without touching the database. */
public final class NoQuiescer implements Quiescer {
    private final Duration budget;

    public NoQuiescer(Duration budget) {
        this.budget = budget;
    }

    @Override
    public <T> Quiesced<T> run(LockedAction<T> action) {
        try {
            action.beforeAcquire(); // no lock to take, but the preparation still shortens the action
        } catch (RuntimeException e) {
            // only an optimisation; the action runs anyway
        }
        try {
            return new Quiesced<>(new LockOutcome.NotRequested(QuiesceMethod.NONE), Optional.ofNullable(action.run(budget)), Optional.empty());
        } catch (Exception e) {
            return new Quiesced<>(new LockOutcome.NotRequested(QuiesceMethod.NONE), Optional.empty(), Optional.of(e));
        }
    }

    @Override
    public QuiesceReadiness readiness() {
        return QuiesceReadiness.notUsed(); // nothing to reach
    }

    @Override
    public void close() {
        // nothing held
    }
}
