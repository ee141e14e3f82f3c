package org.zmsnap.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.zmsnap.AgentContext;
import org.zmsnap.restore.RestoreService;

/**
 * What restore drills verify on this host, and what {@code zmsnap verify --status} reports on: this host's own sets
 * on a mailbox host, and on a DR host the copies of every source, so a DR copy is proven restorable where it would
 * be restored. The one list both use.
 */
public final class DrillSubjects {
    private DrillSubjects() {}

    /**
     * @param name    "this host" or "source NAME"
     * @param restore opened when asked: a source whose copies are not here yet is a usage error for that source
     *                only ({@link org.zmsnap.zimbra.RestoreUsageException}), not for the others
     */
    public record Subject(String name, Optional<String> source, Supplier<RestoreService> restore) {}

    public static List<Subject> of(AgentContext ctx) {
        List<Subject> out = new ArrayList<>();
        if (ctx.config().mailboxHost()) {
            out.add(new Subject("this host", Optional.empty(), () -> new RestoreService(ctx)));
        }
        for (String name : ctx.config().sources().keySet()) {
            out.add(new Subject("source " + name, Optional.of(name), () -> new RestoreService(ctx, Optional.empty(), Optional.of(name))));
        }
        return out;
    }

    /** A newest drill older than this is stale: {@link DrillStatus#STALE_PERIODS} periods of the drill schedule. */
    public static java.time.Duration staleAfter(AgentContext ctx, java.time.Instant now) {
        return ctx.config().verify().map(v -> org.zmsnap.schedule.Periods.of(v.schedule(), now)).orElse(DrillStatus.DEFAULT_PERIOD)
                .multipliedBy(DrillStatus.STALE_PERIODS);
    }

    /** The last drill of every subject, for {@code verify --status} and {@code status}. */
    public static List<DrillStatus> statuses(AgentContext ctx, java.time.Instant now) {
        java.time.Duration maxAge = staleAfter(ctx, now);
        List<DrillStatus> rows = new ArrayList<>();
        for (Subject subject : of(ctx)) {
            try {
                rows.add(DrillStatus.of(subject.name(), subject.restore().get().sets(), now, maxAge));
            } catch (org.zmsnap.zimbra.RestoreUsageException e) {
                rows.add(DrillStatus.unavailable(subject.name(), e.getMessage()));
            }
        }
        return rows;
    }
}
