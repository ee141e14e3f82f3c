package org.zmsnap.schedule;

import java.util.concurrent.atomic.AtomicLong;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;

/** Proves the scheduler's thread really runs jobs: the systemd watchdog is fed only while this is fresh. */
public final class HeartbeatJob implements Job {
    static final String BEAT = "heartbeat";

    @Override
    public void execute(JobExecutionContext context) {
        try {
            ((AtomicLong) context.getScheduler().getContext().get(BEAT)).set(System.nanoTime());
        } catch (SchedulerException e) {
            // the scheduler is shutting down; the watchdog will notice the stale beat
        }
    }
}
