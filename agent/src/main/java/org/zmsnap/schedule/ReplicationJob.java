package org.zmsnap.schedule;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;

/** A target's own schedule fired: queue a run on the replication worker and return at once. */
@DisallowConcurrentExecution
public final class ReplicationJob implements Job {
    static final String TARGET = "target";
    static final String SERVICE = "replicationService";

    @Override
    public void execute(JobExecutionContext context) {
        try {
            ((ReplicationService) context.getScheduler().getContext().get(SERVICE))
                    .submit(context.getMergedJobDataMap().getString(TARGET));
        } catch (SchedulerException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ReplicationJob.class).error("replication job failed: {}", e.toString());
        }
    }
}
