package org.zmsnap.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.AgentContext;
import org.zmsnap.DaemonThreads;
import org.zmsnap.config.VerifyConfig;
import org.zmsnap.metrics.Metrics;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.verify.Problem;
import org.zmsnap.verify.VerifiedMark;
import org.zmsnap.verify.VerifyReport;
import org.zmsnap.verify.VerifyService;

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
    private final ExecutorService worker = Executors.newSingleThreadExecutor(DaemonThreads.named("zmsnap-verify"));

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

    /** The sets the drills verify: this host's. (A DR host's sources plug in here, one RestoreService each.) */
    private RestoreService source() {
        return new RestoreService(ctx);
    }

    /** The last successful drill recorded on the sets, so the gauge is right from the start. */
    public void initFromDisk() {
        worker.submit(() -> {
            try {
                VerifyService.marks(source().sets()).stream().filter(VerifiedMark::ok)
                        .forEach(m -> metrics.lastVerifySuccess(m.time().getEpochSecond()));
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

    void drill() {
        long t0 = System.nanoTime();
        try {
            RestoreService source = source();
            boolean full = fullDue(VerifyService.marks(source.sets()), clock.instant(), config.fullEvery());
            VerifyService.Verified v = new VerifyService(ctx.zfs(), source, clock).verify("latest", full, config.sample());
            VerifyReport r = v.report();
            Map<String, Long> byKind = new TreeMap<>();
            r.problems().forEach(p -> byKind.merge(p.kind().label(), 1L, Long::sum));
            metrics.verify(r.ok() ? "ok" : "problems", r.items(), byKind, System.nanoTime() - t0, clock.instant().getEpochSecond());
            if (r.ok()) {
                LOG.info("verify set={} result=ok mode={} mailboxes={} items={} digests={} bytes={} seconds={}", r.tag(), r.mode().label(),
                        r.mailboxes(), r.items(), r.digestsChecked(), r.bytesRead(), String.format(java.util.Locale.ROOT, "%.1f", r.millis() / 1000.0));
            } else {
                LOG.error("verify set={} result=problems mode={} problems={} by_kind={} (zmsnap verify --snapshot {} lists them)",
                        r.tag(), r.mode().label(), r.problems().size(), byKind, r.tag());
                r.problems().stream().limit(20).forEach(p -> LOG.error("verify set={} problem kind={} mailbox={} item={} detail=\"{}\"",
                        r.tag(), p.kind().label(), p.mailbox(), p.item(), p.detail()));
            }
            v.notRecorded().ifPresent(why -> LOG.warn("verify set={}: result not recorded on the set: {}", r.tag(), why));
        } catch (RuntimeException e) {
            if (worker.isShutdown()) {
                // zmsnapd is stopping: the drill was cut short, which says nothing about the set.
                LOG.info("verify drill abandoned: zmsnapd is stopping");
                return;
            }
            metrics.verify("failed", 0, Map.of(), System.nanoTime() - t0, 0);
            LOG.error("verify drill failed: {}", e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** A full check is due when none of the chain's recorded checks is a full one younger than {@code every}. */
    static boolean fullDue(List<VerifiedMark> marks, Instant now, Duration every) {
        return marks.stream().filter(VerifiedMark::full).noneMatch(m -> m.time().isAfter(now.minus(every)));
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
