package org.zmsnap.daemon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.PolicyConfig;
import org.zmsnap.metrics.Health;
import org.zmsnap.metrics.Metrics;
import org.zmsnap.metrics.MetricsServer;
import org.zmsnap.schedule.CycleService;
import org.zmsnap.schedule.Periods;
import org.zmsnap.schedule.DrillService;
import org.zmsnap.schedule.PolicyScheduler;
import org.zmsnap.schedule.ReplicationService;
import org.zmsnap.schedule.SourceService;
import org.zmsnap.systemd.SdNotify;

/**
 * A running zmsnapd: checks, metrics server, scheduler, catch-up, systemd notifications and watchdog.
 * {@link #close()} stops it gracefully: no new cycles, the running one finishes (it is bounded), then exit.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final AgentContext ctx;
    private final Metrics metrics;
    private final MetricsServer server;
    private final PolicyScheduler scheduler;
    private final ReplicationService replication;
    private final SourceService sources;
    private final DrillService drills;
    private final SdNotify notify;
    private final Thread watchdog;

    private Daemon(AgentContext ctx, Metrics metrics, MetricsServer server, PolicyScheduler scheduler,
                   ReplicationService replication, SourceService sources, DrillService drills, SdNotify notify, Thread watchdog) {
        this.replication = replication;
        this.sources = sources;
        this.drills = drills;
        this.ctx = ctx;
        this.metrics = metrics;
        this.server = server;
        this.scheduler = scheduler;
        this.notify = notify;
        this.watchdog = watchdog;
    }

    /** Problems at start the operator must fix (exit 2) versus ones a restart may cure (exit 1). */
    public static final class StartException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int exitCode;

        StartException(String message, int exitCode, Throwable cause) {
            super(message, cause);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    public static Daemon start(Config config, SdNotify notify) {
        if (config.policies().isEmpty() && config.sources().isEmpty()) {
            throw new StartException("no policies configured: nothing to schedule (add a 'policies' section)", 2, null);
        }
        if (config.mailboxHost() && config.policies().isEmpty()) {
            throw new StartException("'datasets' are configured but no policies: nothing would snapshot them (add a 'policies'"
                    + " section, or remove 'datasets' and 'mariadb' on a DR host that only keeps 'sources')", 2, null);
        }
        Clock clock = Clock.systemUTC();
        Map<String, Duration> periods = new LinkedHashMap<>();
        for (PolicyConfig p : config.policies().values()) {
            periods.put(p.name(), Periods.of(p.schedule(), Instant.now()));
        }
        AgentContext ctx = new AgentContext(config);
        Metrics metrics = new Metrics(config.host(), config.mariadb().lockBudget(), periods);
        Health health = new Health(periods, clock);
        metrics.health(health);
        ctx.gate().listen(metrics::gateWork);
        MetricsServer server = null;
        PolicyScheduler scheduler = null;
        ReplicationService replication = null;
        SourceService sources = null;
        DrillService drills = null;
        try {
            if (config.metrics().enabled()) {
                try {
                    server = MetricsServer.start(config.metrics().listen(), metrics, health);
                } catch (IllegalStateException e) {
                    throw new StartException(e.getMessage(), 2, e);
                }
            }
            try {
                ctx.quiescer().check();
                ctx.zfs().features();
                var missing = ctx.zfs().missing(config.datasets());
                if (!missing.isEmpty()) {
                    throw new StartException("dataset(s) " + missing + " do not exist; check 'datasets' in " + config.source(), 1, null);
                }
            } catch (StartException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new StartException(e.getMessage(), 1, e);
            }
            CycleService service = null;
            if (config.mailboxHost()) {
                replication = new ReplicationService(ctx, metrics);
                service = new CycleService(ctx, metrics, health, clock, replication::afterSnapshot);
                // Not a reason to refuse to start: sets are still taken (marked consistent=no) while health and the
                // metric say, from now on rather than from the first cycle, that they cannot restore Zimbra.
                service.coverage(ctx.coverage().check());
                service.initFromDisk();
                replication.initLag();
            }
            scheduler = new PolicyScheduler(service);
            for (PolicyConfig p : config.policies().values()) {
                scheduler.schedule(p);
            }
            for (var t : config.targets().values()) {
                if (t.schedule().isPresent()) {
                    scheduler.scheduleReplication(replication, t);
                }
            }
            if (!config.sources().isEmpty()) {
                sources = new SourceService(ctx, metrics);
                sources.initLag();
                for (var s : config.sources().values()) {
                    scheduler.scheduleSource(sources, s);
                }
            }
            if (config.verify().isPresent()) {
                drills = new DrillService(ctx, metrics, config.verify().get(), clock);
                drills.initFromDisk();
                scheduler.scheduleVerify(drills);
            }
            scheduler.start();
            List<String> late = service == null ? List.of() : service.late(periods);
            notify.ready("scheduling " + periods.keySet() + (config.sources().isEmpty() ? "" : ", sources " + config.sources().keySet())
                    + (late.isEmpty() ? "" : "; catching up " + late));
            LOG.info("zmsnapd ready: policies {}, sources {}, metrics on {}, ZFS {}", periods.keySet(), config.sources().keySet(),
                    server == null ? "off" : config.metrics().listen(), ctx.zfs().features().implementation());
            for (String policy : late) {
                LOG.info("policy {} is late (no set within its period): taking one now", policy);
                scheduler.runNow(policy);
            }
            Thread wd = startWatchdog(scheduler, notify);
            return new Daemon(ctx, metrics, server, scheduler, replication, sources, drills, notify, wd);
        } catch (RuntimeException e) {
            stopAll(scheduler, replication, sources, drills, server, metrics, ctx);
            throw e;
        }
    }

    /** Feeds systemd's watchdog at half its interval, only while the scheduler's worker is seen running jobs. */
    private static Thread startWatchdog(PolicyScheduler scheduler, SdNotify notify) {
        String usec = System.getenv("WATCHDOG_USEC");
        if (!notify.enabled() || usec == null) {
            return null;
        }
        Duration interval = Duration.ofNanos(Long.parseLong(usec) * 1000);
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                if (scheduler.alive(interval)) {
                    notify.watchdog();
                } else {
                    LOG.error("scheduler has not run its heartbeat within {} s: not feeding the systemd watchdog", interval.toSeconds());
                }
                try {
                    Thread.sleep(Math.max(1000, interval.toMillis() / 2));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "zmsnap-sd-watchdog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    public int metricsPort() {
        return server == null ? -1 : server.port();
    }

    public Metrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        notify.stopping();
        LOG.info("zmsnapd stopping: waiting for a running cycle to finish");
        if (watchdog != null) {
            watchdog.interrupt();
        }
        stopAll(scheduler, replication, sources, drills, server, metrics, ctx);
        LOG.info("zmsnapd stopped");
    }

    /**
     * Stops what was started (absent parts are null), in this order: no new firings, then the workers, the
     * metrics server, the context. One part failing to stop does not keep the others running.
     */
    private static void stopAll(AutoCloseable... parts) {
        for (AutoCloseable part : parts) {
            if (part != null) {
                try {
                    part.close();
                } catch (Exception e) {
                    LOG.warn("stopping {}: {}", part.getClass().getSimpleName(), e.toString());
                }
            }
        }
    }
}
