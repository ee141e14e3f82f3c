package org.zmsnap.schedule;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;

/** A policy's firing: hands over to {@link CycleService}; no logic of its own. */
@DisallowConcurrentExecution
public final class PolicyJob implements Job {
    static final String POLICY = "policy";
    static final String SERVICE = "cycleService";

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        try {
            CycleService service = (CycleService) context.getScheduler().getContext().get(SERVICE);
            service.snapshot(context.getMergedJobDataMap().getString(POLICY));
        } catch (SchedulerException | RuntimeException e) {
            // Never let an exception reach Quartz: it would log it and carry on anyway; the cycle reported it.
            org.slf4j.LoggerFactory.getLogger(PolicyJob.class).error("policy job failed: {}", e.toString());
        }
    }
}
