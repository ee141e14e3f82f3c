package org.zmsnap.schedule;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.AgentContext;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.metrics.Metrics;
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
    private final TransferRecord outcomes;

    public ReplicationService(AgentContext ctx, Metrics metrics) {
        this.ctx = ctx;
        this.metrics = metrics;
        this.runner = new ReplicationRunner(ctx.config(), ctx.zfs(), ctx.catalog());
        this.outcomes = new TransferRecord(LOG, "replication", "target", "pruned_on_target", true, metrics::replication,
                metrics::newestCommon);
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
        outcomes.record(t.name(), runner.run(t, false, metrics.targetProgress(t.name())));
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
