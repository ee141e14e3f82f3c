package org.zmsnap.schedule;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;

/** The drill schedule fired: queue a drill on its own worker and return at once. */
@DisallowConcurrentExecution
public final class VerifyJob implements Job {
    static final String SERVICE = "drillService";

    @Override
    public void execute(JobExecutionContext context) {
        try {
            ((DrillService) context.getScheduler().getContext().get(SERVICE)).submit();
        } catch (SchedulerException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(VerifyJob.class).error("verify job failed: {}", e.toString());
        }
    }
}
