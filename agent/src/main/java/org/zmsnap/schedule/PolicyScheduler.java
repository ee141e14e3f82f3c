package org.zmsnap.schedule;

import java.time.Duration;
import java.util.Properties;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicLong;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.zmsnap.config.PolicyConfig;

/**
 * Quartz, configured explicitly: in-memory job store, ONE worker thread (so two cycles never overlap inside
 * the daemon; the host lock covers the CLI), cron in UTC, and a missed firing (daemon busy or suspended)
 * runs once as soon as possible rather than being dropped or repeated.
 */
public final class PolicyScheduler implements AutoCloseable {
    static final Duration HEARTBEAT = Duration.ofSeconds(5);

    private final Scheduler scheduler;
    private final AtomicLong heartbeat = new AtomicLong(System.nanoTime());

    public PolicyScheduler(CycleService service) {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "zmsnapd");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        p.setProperty("org.quartz.threadPool.threadCount", "1");
        p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
        p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        try {
            scheduler = new StdSchedulerFactory(p).getScheduler();
            if (service != null) { // a DR host with only sources runs no snapshot cycles
                scheduler.getContext().put(PolicyJob.SERVICE, service);
            }
            scheduler.getContext().put(HeartbeatJob.BEAT, heartbeat);
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot create the scheduler: " + e.getMessage(), e);
        }
    }

    public void schedule(PolicyConfig policy) {
        JobDetail job = JobBuilder.newJob(PolicyJob.class).withIdentity(policy.name(), "policy")
                .usingJobData(PolicyJob.POLICY, policy.name()).build();
        var trigger = TriggerBuilder.newTrigger().withIdentity(policy.name(), "policy")
                .withSchedule(CronScheduleBuilder.cronSchedule(policy.schedule()).inTimeZone(TimeZone.getTimeZone("UTC"))
                        .withMisfireHandlingInstructionFireAndProceed())
                .build();
        try {
            scheduler.scheduleJob(job, trigger);
        } catch (SchedulerException e) {
            throw new IllegalStateException("policy " + policy.name() + ": cannot schedule '" + policy.schedule() + "': "
                    + e.getMessage(), e);
        }
    }

    /** A target's own replication schedule; the job only queues the run. */
    public void scheduleReplication(ReplicationService service, org.zmsnap.config.TargetConfig target) {
        try {
            scheduler.getContext().put(ReplicationJob.SERVICE, service);
            JobDetail job = JobBuilder.newJob(ReplicationJob.class).withIdentity(target.name(), "replication")
                    .usingJobData(ReplicationJob.TARGET, target.name()).build();
            scheduler.scheduleJob(job, TriggerBuilder.newTrigger().withIdentity(target.name(), "replication")
                    .withSchedule(CronScheduleBuilder.cronSchedule(target.schedule().orElseThrow())
                            .inTimeZone(TimeZone.getTimeZone("UTC")).withMisfireHandlingInstructionFireAndProceed())
                    .build());
        } catch (SchedulerException e) {
            throw new IllegalStateException("target " + target.name() + ": cannot schedule: " + e.getMessage(), e);
        }
    }

    /**
     * A DR host's source: its pulls on the pull schedule, and DR-side retention on {@code pruneSchedule} (a pull
     * prunes too; a pushed source is pruned only by this).
     */
    public void scheduleSource(SourceService service, org.zmsnap.config.SourceConfig source) {
        try {
            scheduler.getContext().put(SourceJob.SERVICE, service);
            source.pull().flatMap(p -> p.schedule()).ifPresent(cron -> add(source.name(), "pull", cron));
            add(source.name(), "prune", source.pruneSchedule());
        } catch (SchedulerException e) {
            throw new IllegalStateException("source " + source.name() + ": cannot schedule: " + e.getMessage(), e);
        }
    }

    private void add(String source, String kind, String cron) {
        JobDetail job = JobBuilder.newJob(SourceJob.class).withIdentity(source, kind).usingJobData(SourceJob.SOURCE, source)
                .usingJobData(SourceJob.KIND, kind).build();
        try {
            scheduler.scheduleJob(job, TriggerBuilder.newTrigger().withIdentity(source, kind)
                    .withSchedule(CronScheduleBuilder.cronSchedule(cron).inTimeZone(TimeZone.getTimeZone("UTC"))
                            .withMisfireHandlingInstructionFireAndProceed())
                    .build());
        } catch (SchedulerException e) {
            throw new IllegalStateException("source " + source + ": cannot schedule its " + kind + " '" + cron + "': " + e.getMessage(), e);
        }
    }

    /** The restore drills' schedule; the job only queues the drill. */
    public void scheduleVerify(DrillService service) {
        try {
            scheduler.getContext().put(VerifyJob.SERVICE, service);
            JobDetail job = JobBuilder.newJob(VerifyJob.class).withIdentity("verify", "verify").build();
            scheduler.scheduleJob(job, TriggerBuilder.newTrigger().withIdentity("verify", "verify")
                    .withSchedule(CronScheduleBuilder.cronSchedule(service.config().schedule())
                            .inTimeZone(TimeZone.getTimeZone("UTC")).withMisfireHandlingInstructionFireAndProceed())
                    .build());
        } catch (SchedulerException e) {
            throw new IllegalStateException("verify: cannot schedule '" + service.config().schedule() + "': " + e.getMessage(), e);
        }
    }

    public void start() {
        try {
            JobDetail beat = JobBuilder.newJob(HeartbeatJob.class).withIdentity("heartbeat", "internal").build();
            scheduler.scheduleJob(beat, TriggerBuilder.newTrigger().withIdentity("heartbeat", "internal").startNow()
                    .withSchedule(SimpleScheduleBuilder.repeatSecondlyForever((int) HEARTBEAT.toSeconds())
                            .withMisfireHandlingInstructionNextWithRemainingCount())
                    .build());
            scheduler.start();
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot start the scheduler: " + e.getMessage(), e);
        }
    }

    /** Runs a policy now (catch-up after downtime), queued behind any running cycle. */
    public void runNow(String policy) {
        try {
            scheduler.triggerJob(JobKey.jobKey(policy, "policy"));
        } catch (SchedulerException e) {
            throw new IllegalStateException("cannot run policy " + policy + " now: " + e.getMessage(), e);
        }
    }

    /** True while the scheduler is running and its worker has run the heartbeat within {@code maxAge}. */
    public boolean alive(Duration maxAge) {
        try {
            return scheduler.isStarted() && !scheduler.isShutdown() && !scheduler.isInStandbyMode()
                    && System.nanoTime() - heartbeat.get() < maxAge.toNanos();
        } catch (SchedulerException e) {
            return false;
        }
    }

    /** Stops firing and waits for a running cycle to finish (each cycle is bounded by its budgets). */
    @Override
    public void close() {
        try {
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            // nothing more can be done at shutdown
        }
    }
}
