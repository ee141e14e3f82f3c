package org.zmsnap.metrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Healthy while every policy's last successful cycle is no older than twice its period and the datasets cover
 * every data path (coverage). A policy that has not succeeded yet is judged from the daemon's start. Reasons
 * name the policy and how late it is, or the path that is not covered.
 */
public final class Health {
    public record Status(boolean ok, List<String> reasons) {}

    private final Map<String, Duration> periods;
    private final Map<String, Instant> lastSuccess = new ConcurrentHashMap<>();
    private final Map<String, String> lastFailure = new ConcurrentHashMap<>();
    private volatile List<String> coverageProblems = List.of();
    private final Clock clock;
    private final Instant started;

    public Health(Map<String, Duration> periods, Clock clock) {
        this.periods = Map.copyOf(periods);
        this.clock = clock;
        this.started = clock.instant();
    }

    public void success(String policy, Instant at) {
        lastSuccess.merge(policy, at, (a, b) -> a.isAfter(b) ? a : b);
        lastFailure.remove(policy);
    }

    public void failure(String policy, String reason) {
        lastFailure.put(policy, reason);
    }

    /** The newest coverage verdict's problems (empty when every data path is on a configured dataset). */
    public void coverage(List<String> problems) {
        coverageProblems = List.copyOf(problems);
    }

    /** A policy is overdue when its newest success is older than twice its period: one missed firing is not yet an alarm. */
    public static boolean overdue(Duration age, Duration period) {
        return age.compareTo(period.multipliedBy(2)) > 0;
    }

    public Status status() {
        Instant now = clock.instant();
        List<String> reasons = new ArrayList<>();
        // Sets are being taken, but they cannot restore Zimbra: as unhealthy as taking none.
        coverageProblems.forEach(p -> reasons.add("coverage: " + p));
        periods.forEach((policy, period) -> {
            Instant since = lastSuccess.getOrDefault(policy, started);
            Duration age = Duration.between(since, now);
            if (overdue(age, period)) {
                reasons.add("policy " + policy + ": no successful snapshot for " + age.toSeconds() + " s (period "
                        + period.toSeconds() + " s)" + (lastFailure.containsKey(policy) ? "; last failure: " + lastFailure.get(policy) : ""));
            }
        });
        reasons.sort(null);
        return new Status(reasons.isEmpty(), reasons);
    }
}
