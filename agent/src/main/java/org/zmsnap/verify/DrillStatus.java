package org.zmsnap.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.zmsnap.snapshot.SnapshotProperties;
import org.zmsnap.snapshot.SnapshotSet;

/**
 * Do drills run, and do they pass? Read from the {@code org.zmsnap:verified} marks on one subject's sets (this
 * host's, or a DR source's copies): the newest drill, the newest that passed, the newest full one. Pure.
 *
 * @param newestSet  the newest set there is, drilled or not
 * @param last       the newest drill, with the set it was on
 * @param lastOk     the newest drill that passed
 * @param lastFull   the newest full drill
 * @param drilled    every set with a mark, newest set first
 * @param detail     why there is nothing to read (no copies yet), else empty
 */
public record DrillStatus(String subject, State state, Optional<String> newestSet, Optional<Drill> last, Optional<Drill> lastOk,
                          Optional<Drill> lastFull, List<Drill> drilled, String detail) {
    public DrillStatus {
        drilled = List.copyOf(drilled);
    }

    /** One recorded drill: which set, and its mark. */
    public record Drill(String set, VerifiedMark mark) {}

    /** ok: the newest drill passed and is recent; anything else is worth a look (and exit 1). */
    public enum State {
        OK, FAILED, STALE, NEVER;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public boolean ok() {
        return state == State.OK;
    }

    /**
     * @param sets   the subject's sets, newest first, with their properties
     * @param maxAge a newest drill older than this is stale (twice the drill schedule's period)
     */
    public static DrillStatus of(String subject, List<SnapshotSet> sets, Instant now, Duration maxAge) {
        List<Drill> drilled = new ArrayList<>();
        for (SnapshotSet s : sets) {
            s.property(SnapshotProperties.VERIFIED).flatMap(VerifiedMark::parse).ifPresent(m -> drilled.add(new Drill(s.tag().name(), m)));
        }
        Comparator<Drill> byTime = Comparator.comparing(d -> d.mark().time());
        Optional<Drill> last = drilled.stream().max(byTime);
        Optional<Drill> lastOk = drilled.stream().filter(d -> d.mark().ok()).max(byTime);
        Optional<Drill> lastFull = drilled.stream().filter(d -> d.mark().full()).max(byTime);
        State state = last.isEmpty() ? State.NEVER : !last.get().mark().ok() ? State.FAILED
                : last.get().mark().time().isBefore(now.minus(maxAge)) ? State.STALE : State.OK;
        String detail = last.isEmpty() ? (sets.isEmpty() ? "no sets here" : "no set has been verified") : "";
        return new DrillStatus(subject, state, sets.stream().findFirst().map(s -> s.tag().name()), last, lastOk, lastFull, drilled, detail);
    }

    /** A subject whose sets cannot be read here (e.g. a source nothing was received from yet). */
    public static DrillStatus unavailable(String subject, String why) {
        return new DrillStatus(subject, State.NEVER, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), why);
    }

    /** A newest drill older than this many periods of the schedule is stale. */
    public static final int STALE_PERIODS = 2;
    /** Without a drill schedule (no {@code verify} section): a daily drill is what docs/verify.md asks for. */
    public static final Duration DEFAULT_PERIOD = Duration.ofDays(1);
}
