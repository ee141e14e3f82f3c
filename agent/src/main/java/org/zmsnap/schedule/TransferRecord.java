package org.zmsnap.schedule;

import java.time.Instant;
import java.util.Locale;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.zmsnap.replication.ReplicationOutcome;

/**
 * How a scheduled transfer's {@link ReplicationOutcome} is recorded, for a push to a target
 * ({@link ReplicationService}) and a pull from a source ({@link SourceService}) alike: one metric, the
 * newest-common gauge when a set arrived, one log line. The two differ only in their words, their metrics
 * and whether "nothing eligible" is only a warning, so those are the parameters.
 *
 * @param kind the log line's first word ("replication", "pull")
 * @param subject the key naming the other end ("target", "source")
 * @param prunedKey the key for the copies destroyed on the receiving side
 * @param nothingEligibleWarns log {@link ReplicationOutcome.NothingEligible} as a warning rather than an error
 */
record TransferRecord(Logger log, String kind, String subject, String prunedKey, boolean nothingEligibleWarns,
                      TransferMetric metric, BiConsumer<String, Instant> newestGauge) {

    /** The metric a finished transfer counts into (Metrics' replication or pull). */
    @FunctionalInterface
    interface TransferMetric {
        void record(String name, String result, long bytes, long nanos);
    }

    void record(String name, ReplicationOutcome o) {
        if (o instanceof ReplicationOutcome.Replicated r) {
            metric.record(name, r.result(), r.bytes(), r.nanos());
            r.newestCommonTime().ifPresent(c -> newestGauge.accept(name, c));
            log.info(kind + " " + subject + "={} result={} bytes={} seconds={} newest={} " + prunedKey + "={}", name,
                    r.result(), r.bytes(), String.format(Locale.ROOT, "%.1f", r.nanos() / 1e9),
                    r.newestCommon().orElse("-"), r.destroyedOnTarget());
            return;
        }
        metric.record(name, o.result(), o instanceof ReplicationOutcome.Failed f ? f.bytes() : 0, 0);
        String line = kind + " " + subject + "={} result={} reason=\"{}\"";
        if (nothingEligibleWarns && o instanceof ReplicationOutcome.NothingEligible) {
            log.warn(line, name, o.result(), o.reason());
        } else {
            log.error(line, name, o.result(), o.reason());
        }
    }
}
