package org.zmsnap.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.AgentContext;
import org.zmsnap.config.VerifyConfig;
import org.zmsnap.metrics.Metrics;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.verify.DrillSubjects;
import org.zmsnap.verify.Problem;
import org.zmsnap.verify.SetBusyException;
import org.zmsnap.verify.VerifiedMark;
import org.zmsnap.verify.VerifyReport;
import org.zmsnap.verify.VerifyService;
import org.zmsnap.zimbra.RestoreUsageException;

/**
 * zmsnapd's restore drills: verifies the newest set on its own worker (a drill clones and reads the whole
 * store; snapshot cycles must not wait for it), one at a time; a firing while one runs is dropped. Full when
 * the chain's last full check is older than {@code full-every}, incremental otherwise.
 */
public final class DrillService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DrillService.class);

    private final AgentContext ctx;
    private final Metrics metrics;
    private final VerifyConfig config;
    private final Clock clock;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final SerialWorker worker = new SerialWorker("zmsnap-verify");
    /** How long a drill waits for a restore (or a verify) that has the same set open. */
    static final Duration WAIT = Duration.ofMinutes(5);

    public DrillService(AgentContext ctx, Metrics metrics, VerifyConfig config, Clock clock) {
        this.ctx = ctx;
        this.metrics = metrics;
        this.config = config;
        this.clock = clock;
        metrics.verifyDrills(Arrays.stream(Problem.Kind.values()).map(Problem.Kind::label).toList());
    }

    public VerifyConfig config() {
        return config;
    }

    /** The last successful drill recorded on the sets, so the gauge is right from the start. */
    public void initFromDisk() {
        worker.submit(() -> {
            try {
                // The gauge says when every drilled copy last passed: the oldest of their newest successes.
                java.util.OptionalLong oldest = java.util.OptionalLong.empty();
                for (DrillSubjects.Subject subject : DrillSubjects.of(ctx)) {
                    var newest = VerifyService.marks(subject.restore().get().sets()).stream().filter(VerifiedMark::ok)
                            .mapToLong(m -> m.time().getEpochSecond()).max();
                    if (newest.isEmpty()) {
                        return;
                    }
                    oldest = java.util.OptionalLong.of(Math.min(oldest.orElse(Long.MAX_VALUE), newest.getAsLong()));
                }
                oldest.ifPresent(metrics::lastVerifySuccess);
            } catch (RuntimeException e) {
                LOG.warn("cannot read the sets' verify results: {}", e.toString());
            }
        });
    }

    /** Queues a drill unless one is queued or running. */
    public void submit() {
        if (busy.compareAndSet(false, true)) {
            worker.submit(() -> {
                try {
                    drill();
                } finally {
                    busy.set(false);
                }
            });
        } else {
            LOG.warn("verify drill: the previous one is still running; this firing is skipped");
        }
    }

    /** One drill: the newest set of each source in turn; the metrics add them up, so no source's problems hide. */
    void drill() {
        long t0 = System.nanoTime();
        run(DrillSubjects.of(ctx), this::drillOne).ifPresent(r ->
                metrics.verify(r.result(), r.items(), r.byKind(), System.nanoTime() - t0, clock.instant().getEpochSecond()));
    }

    /** What one source's drill came to. */
    sealed interface SourceOutcome {
        /** Verified: ok or with problems (the report says which). */
        record Verified(VerifyReport report) implements SourceOutcome {}
        /** Being received, held by a restore, or nothing received yet: nothing to say about its copies. */
        record Skipped(String why) implements SourceOutcome {}
        /** The drill itself broke (the set would not open, the sandbox would not start): that is a failed drill. */
        record Failed(String why) implements SourceOutcome {}
        /** zmsnapd is stopping: the drill was cut short, which says nothing about the set. */
        record Abandoned() implements SourceOutcome {}
    }

    /** A whole drill's result as the metrics take it. */
    record DrillRun(String result, long items, Map<String, Long> byKind) {}

    /**
     * Drills every subject in turn. One source that fails does not stop the others (each copy is a separate
     * backup; the one that broke is named in the log). The result: failed over problems over skipped over ok, so
     * the success timestamp moves only when every source was drilled and passed. Empty when zmsnapd is stopping.
     */
    static Optional<DrillRun> run(List<DrillSubjects.Subject> subjects, Function<DrillSubjects.Subject, SourceOutcome> one) {
        Map<String, Long> byKind = new TreeMap<>();
        long items = 0;
        boolean problems = false;
        boolean skipped = false;
        boolean failed = false;
        for (DrillSubjects.Subject subject : subjects) {
            SourceOutcome outcome = one.apply(subject);
            if (outcome instanceof SourceOutcome.Verified v) {
                v.report().problems().forEach(p -> byKind.merge(p.kind().label(), 1L, Long::sum));
                items += v.report().items();
                problems |= !v.report().ok();
            } else if (outcome instanceof SourceOutcome.Skipped) {
                skipped = true;
            } else if (outcome instanceof SourceOutcome.Failed) {
                failed = true;
            } else {
                return Optional.empty();
            }
        }
        String result = failed ? "failed" : problems ? "problems" : skipped ? "skipped" : "ok";
        return Optional.of(new DrillRun(result, items, byKind));
    }

    private SourceOutcome drillOne(DrillSubjects.Subject subject) {
        String where = subject.name();
        try {
            RestoreService source = subject.restore().get();
            boolean full = fullDue(VerifyService.marks(source.sets()), clock.instant(), config.fullEvery());
            VerifyService.Verified v = VerifyService.of(ctx, source, clock, WAIT, msg -> LOG.info("verify of={}: {}", where, msg))
                    .verify("latest", full, config.sample());
            VerifyReport r = v.report();
            if (r.ok()) {
                LOG.info("verify of={} set={} result=ok mode={} mailboxes={} items={} digests={} bytes={} seconds={}", where, r.tag(),
                        r.mode().label(), r.mailboxes(), r.items(), r.digestsChecked(), r.bytesRead(),
                        String.format(java.util.Locale.ROOT, "%.1f", r.millis() / 1000.0));
            } else {
                LOG.error("verify of={} set={} result=problems mode={} problems={} (zmsnap verify --snapshot {} lists them)",
                        where, r.tag(), r.mode().label(), r.problems().size(), r.tag());
                r.problems().stream().limit(20).forEach(p -> LOG.error("verify of={} set={} problem kind={} mailbox={} item={} detail=\"{}\"",
                        where, r.tag(), p.kind().label(), p.mailbox(), p.item(), p.detail()));
            }
            v.notRecorded().ifPresent(why -> LOG.warn("verify of={} set={}: result not recorded on the set: {}", where, r.tag(), why));
            return new SourceOutcome.Verified(r);
        } catch (SetBusyException | RestoreUsageException ex) {
            if (worker.stopped()) {
                LOG.info("verify drill abandoned: zmsnapd is stopping");
                return new SourceOutcome.Abandoned();
            }
            // A source that stays busy shows as a stale drill (verify --status, the alert); the next firing tries again.
            LOG.warn("verify of={} skipped: {}", where, ex.getMessage());
            return new SourceOutcome.Skipped(ex.getMessage());
        } catch (RuntimeException ex) {
            if (worker.stopped()) {
                LOG.info("verify drill abandoned: zmsnapd is stopping");
                return new SourceOutcome.Abandoned();
            }
            String why = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            LOG.error("verify of={} failed: {}", where, why);
            return new SourceOutcome.Failed(why);
        }
    }

    /** A full check is due when none of the chain's recorded checks is a full one younger than {@code every}. */
    static boolean fullDue(List<VerifiedMark> marks, Instant now, Duration every) {
        return marks.stream().filter(VerifiedMark::full).noneMatch(m -> m.time().isAfter(now.minus(every)));
    }

    @Override
    public void close() {
        worker.close();
    }
}
