package org.zmsnap.schedule;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.AgentContext;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.metrics.Metrics;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.ReplicationRunner;

/**
 * Runs replication off the scheduler's worker (a transfer can take hours; snapshot cycles must not wait for
 * it), one run at a time, after chosen policies' snapshots or on a target's own schedule.
 */
public final class ReplicationService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationService.class);

    private final AgentContext ctx;
    private final Metrics metrics;
    private final ReplicationRunner runner;
    private final SerialWorker worker = new SerialWorker("zmsnap-replication");

    public ReplicationService(AgentContext ctx, Metrics metrics) {
        this.ctx = ctx;
        this.metrics = metrics;
        this.runner = new ReplicationRunner(ctx.config(), ctx.zfs(), ctx.catalog());
        ctx.config().targets().values().forEach(t -> {
            metrics.target(t.name());
            metrics.rpo(t.name(), t.rpo());
        });
    }

    /** Reads each target's newest common snapshot so the lag gauge is right from the start. */
    public void initLag() {
        for (TargetConfig t : ctx.config().targets().values()) {
            worker.submit(() -> runner.status(t).newestCommonCreation().ifPresent(c -> metrics.newestCommon(t.name(), c)));
        }
    }

    /** Queues the targets that replicate after {@code policy}'s snapshots. */
    public void afterSnapshot(String policy) {
        for (TargetConfig t : ctx.config().targets().values()) {
            if (t.afterSnapshot().contains(policy)) {
                submit(t.name());
            }
        }
    }

    public void submit(String target) {
        TargetConfig t = ctx.config().targets().get(target);
        worker.submit(() -> run(t));
    }

    private void run(TargetConfig t) {
        ReplicationOutcome o = runner.run(t, false);
        if (o instanceof ReplicationOutcome.Replicated r) {
            metrics.replication(t.name(), r.result(), r.bytes(), r.nanos());
            r.newestCommonTime().ifPresent(c -> metrics.newestCommon(t.name(), c));
            LOG.info("replication target={} result={} bytes={} seconds={} newest={} pruned_on_target={}", t.name(), r.result(),
                    r.bytes(), String.format(java.util.Locale.ROOT, "%.1f", r.nanos() / 1e9), r.newestCommon().orElse("-"),
                    r.destroyedOnTarget());
        } else {
            metrics.replication(t.name(), o.result(), o instanceof ReplicationOutcome.Failed f ? f.bytes() : 0, 0);
            if (o instanceof ReplicationOutcome.NothingEligible) {
                LOG.warn("replication target={} result={} reason=\"{}\"", t.name(), o.result(), o.reason());
            } else {
                LOG.error("replication target={} result={} reason=\"{}\"", t.name(), o.result(), o.reason());
            }
        }
    }

    public Map<String, TargetConfig> targets() {
        return ctx.config().targets();
    }

    /** Stops: a transfer in progress is abandoned (ZFS discards a partial receive; the next run repeats it). */
    @Override
    public void close() {
        worker.close();
    }
}
