package org.zmsnap.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.retention.Retention;
import org.zmsnap.AgentContext;
import org.zmsnap.metrics.Health;
import org.zmsnap.metrics.Metrics;
import org.zmsnap.retention.Pruner;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.HostLock;
import org.zmsnap.snapshot.SetReport;
import org.zmsnap.snapshot.SnapshotCycle;
import org.zmsnap.snapshot.SnapshotSet;

/**
 * The daemon's job graph for one policy firing: snapshot cycle → retention → metrics, health and one log
 * line. Replication hooks in after the snapshot here (targets with {@code after-snapshot}).
 */
public final class CycleService {
    private static final Logger LOG = LoggerFactory.getLogger(CycleService.class);

    private final AgentContext ctx;
    private final Metrics metrics;
    private final Health health;
    private final Clock clock;
    private final java.util.function.Consumer<String> afterSnapshot;

    /** @param afterSnapshot told the policy after every successful set (replication hooks in here) */
    public CycleService(AgentContext ctx, Metrics metrics, Health health, Clock clock, java.util.function.Consumer<String> afterSnapshot) {
        this.ctx = ctx;
        this.metrics = metrics;
        this.health = health;
        this.clock = clock;
        this.afterSnapshot = afterSnapshot;
    }

    public CycleOutcome snapshot(String policy) {
        CycleOutcome outcome = ctx.snapshotCycle().run(policy);
        metrics.cycle(policy, outcome);
        ctx.coverage().last().ifPresent(r -> coverage(r, outcome instanceof CycleOutcome.Taken));
        int pruned = 0;
        String pruneError = "";
        try {
            pruned = prune();
        } catch (RuntimeException e) {
            pruneError = e.getMessage();
            LOG.warn("retention failed: {}", e.getMessage());
        }
        if (outcome instanceof CycleOutcome.Taken t) {
            SetReport r = t.report();
            health.success(policy, r.tag().time());
            LOG.info("cycle policy={} tag={} acquire_ms={} hold_ms={} consistent={} pruned={}{}{}", policy, r.tag(),
                    ms(r.acquireMicros()), ms(r.holdMicros()), r.consistent() ? "yes" : "no", pruned, gate(r),
                    pruneError.isEmpty() ? "" : " prune_error=\"" + pruneError + "\"");
            afterSnapshot.accept(policy);
        } else if (outcome instanceof CycleOutcome.Skipped s) {
            health.failure(policy, s.reason());
            LOG.warn("cycle policy={} result=skipped reason=\"{}\" pruned={}", policy, s.reason(), pruned);
        } else {
            CycleOutcome.Failed f = (CycleOutcome.Failed) outcome;
            health.failure(policy, f.reason());
            LOG.error("cycle policy={} result=failed reason=\"{}\" pruned={}", policy, f.reason(), pruned);
        }
        return outcome;
    }

    /**
     * Publishes a completed coverage check to health and metrics (the one taken at start). A check that could not
     * run (MariaDB down) changes neither here: the cycles fail then, and health judges those.
     */
    public void coverage(org.zmsnap.coverage.CoverageReport r) {
        coverage(r, false);
    }

    /**
     * @param setTaken a set was taken under this verdict. An unchecked verdict then counts like a violation: the set
     *                 is marked coverage=unknown and consistent=no, and nobody knows whether it can restore Zimbra
     *                 (the quiesce worked but the paths could not be read, e.g. no SELECT on zimbra.volume), so
     *                 health and the metric must not stay green. Without a set it changes nothing, as above.
     */
    private void coverage(org.zmsnap.coverage.CoverageReport r, boolean setTaken) {
        if (r instanceof org.zmsnap.coverage.CoverageReport.Checked || setTaken) {
            health.coverage(r.problems());
            metrics.coverage(r.ok());
        }
    }

    private int prune() {
        var cfg = ctx.config();
        Pruner.Result r;
        try (HostLock ignored = HostLock.acquire(cfg.lockFile(), "retention", SnapshotCycle.HOST_LOCK_WAIT)) {
            r = new Pruner(ctx.zfs(), ctx.catalog(), Retention.counts(cfg.policies())).prune(false, Map.of());
        }
        metrics.destroyed(r.destroyed().size());
        r.failures().forEach(f -> LOG.warn("retention could not destroy {}", f));
        countKept();
        return r.destroyed().size();
    }

    /** Seeds health and metrics from what is on disk, so a restart does not look like a gap. */
    public void initFromDisk() {
        countKept();
    }

    private void countKept() {
        Map<String, Long> kept = new HashMap<>();
        Map<String, Instant> newest = new HashMap<>();
        for (SnapshotSet s : ctx.catalog().sets()) {
            if (s.complete()) {
                kept.merge(s.tag().policy(), 1L, Long::sum);
                newest.merge(s.tag().policy(), s.tag().time(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        for (String policy : ctx.config().policies().keySet()) {
            metrics.kept(policy, kept.getOrDefault(policy, 0L));
            Optional.ofNullable(newest.get(policy)).ifPresent(t -> {
                health.success(policy, t);
                metrics.lastSuccess(policy, t.getEpochSecond());
            });
        }
    }

    /** Policies whose newest set is older than their period (or that have none): they run once at start. */
    public List<String> late(Map<String, Duration> periods) {
        Map<String, Instant> newest = new HashMap<>();
        for (SnapshotSet s : ctx.catalog().sets()) {
            if (s.complete()) {
                newest.merge(s.tag().policy(), s.tag().time(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        Instant now = clock.instant();
        return periods.entrySet().stream()
                .filter(e -> !newest.containsKey(e.getKey()) || newest.get(e.getKey()).plus(e.getValue()).isBefore(now))
                .map(Map.Entry::getKey).sorted().toList();
    }

    /** Only when the cycle waited at the ZFS work gate: for how long, and whether it went ahead without the work finishing. */
    private static String gate(SetReport r) {
        if (r.gateWaitMicros() < 1000 && !r.gateForced()) {
            return "";
        }
        return " gate_wait_ms=" + ms(r.gateWaitMicros()) + (r.gateForced() ? " gate=forced" : "");
    }

    private static String ms(long micros) {
        return String.format(java.util.Locale.ROOT, "%.1f", micros / 1000.0);
    }
}
