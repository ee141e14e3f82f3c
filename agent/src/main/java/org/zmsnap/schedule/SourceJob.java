package org.zmsnap.schedule;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;

/** A source's pull or DR-retention schedule fired: queue the work on the sources' worker and return at once. */
@DisallowConcurrentExecution
public final class SourceJob implements Job {
    static final String SOURCE = "source";
    static final String KIND = "kind";
    static final String SERVICE = "sourceService";

    @Override
    public void execute(JobExecutionContext context) {
        try {
            SourceService service = (SourceService) context.getScheduler().getContext().get(SERVICE);
            String source = context.getMergedJobDataMap().getString(SOURCE);
            if ("pull".equals(context.getMergedJobDataMap().getString(KIND))) {
                service.pull(source);
            } else {
                service.prune(source);
            }
        } catch (SchedulerException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(SourceJob.class).error("source job failed: {}", e.toString());
        }
    }
}
