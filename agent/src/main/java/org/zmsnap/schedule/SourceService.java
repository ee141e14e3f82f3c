package org.zmsnap.schedule;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.AgentContext;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.drhost.SourceJobs;
import org.zmsnap.metrics.Metrics;
import org.zmsnap.promote.PromotedMark;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.retention.Pruner;

/**
 * A DR host's scheduled work for its sources: pulls and DR-side retention, off the scheduler's thread (a
 * first pull can take hours), one at a time.
 */
public final class SourceService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceService.class);

    private final AgentContext ctx;
    private final Metrics metrics;
    private final SourceJobs jobs;
    private final SerialWorker worker = new SerialWorker("zmsnap-sources");
    private final TransferRecord outcomes;

    public SourceService(AgentContext ctx, Metrics metrics) {
        this.ctx = ctx;
        this.metrics = metrics;
        this.jobs = new SourceJobs(ctx.config(), ctx.zfs());
        this.outcomes = new TransferRecord(LOG, "pull", "source", "pruned", false, metrics::pull, metrics::sourceNewest);
        ctx.config().sources().values().forEach(s -> metrics.source(s.name(), s.rpo()));
    }

    /** Reads each source's newest set so the lag gauge is right from the start. */
    public void initLag() {
        for (SourceConfig s : ctx.config().sources().values()) {
            worker.submit(() -> refresh(s));
        }
    }

    public void pull(String name) {
        SourceConfig s = ctx.config().source(name);
        worker.submit(() -> runPull(s));
    }

    public void prune(String name) {
        SourceConfig s = ctx.config().source(name);
        worker.submit(() -> runPrune(s));
    }

    private void runPull(SourceConfig s) {
        ReplicationOutcome o;
        try {
            o = jobs.pull(s, metrics.sourceProgress(s.name()));
        } catch (SourceJobs.SourceStateException e) {
            LOG.warn("pull source={} result=skipped reason=\"{}\"", s.name(), e.getMessage());
            refresh(s); // e.g. promoted since zmsnapd started: the promotion gauge says so
            return;
        }
        outcomes.record(s.name(), o);
    }

    private void runPrune(SourceConfig s) {
        try {
            Pruner.Result r = jobs.prune(s, false);
            if (!r.destroyed().isEmpty() || !r.failures().isEmpty()) {
                LOG.info("dr retention source={} destroyed={} failures={}", s.name(), r.destroyed().size(), r.failures());
            }
            metrics.destroyed(r.destroyed().size());
            refresh(s);
        } catch (SourceJobs.SourceStateException e) {
            LOG.warn("dr retention source={} result=skipped reason=\"{}\"", s.name(), e.getMessage());
            refresh(s);
        } catch (RuntimeException e) {
            LOG.error("dr retention source={} result=failed reason=\"{}\"", s.name(), e.getMessage());
        }
    }

    /** The newest set (for the lag) and the promotion mark, read from the copies. */
    private void refresh(SourceConfig s) {
        SourceJobs.Status st = jobs.status(s);
        st.newest().ifPresent(n -> metrics.sourceNewest(s.name(), n.tag().time()));
        metrics.sourcePromoted(s.name(), st.promoted().map(v -> PromotedMark.parse(v).time()));
    }

    @Override
    public void close() {
        worker.close();
    }
}
