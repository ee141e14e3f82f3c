package org.zmsnap.replication;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.zmsnap.snapshot.SnapshotSet;

/**
 * Whether a target has anything to receive: it wants, per policy in its {@code keep}, the newest sets. Pure.
 * A run with nothing eligible must say so and why, never "up to date".
 */
final class Eligibility {
    private Eligibility() {}

    /** Empty when at least one set is eligible; otherwise the reason, naming what exists and what is kept. */
    static Optional<String> nothingEligible(String target, List<SnapshotSet> sets, Map<String, Integer> keep) {
        if (!Replicator.wanted(sets, keep).isEmpty()) {
            return Optional.empty();
        }
        Map<String, Long> byPolicy = new TreeMap<>(sets.stream().filter(SnapshotSet::complete)
                .collect(Collectors.groupingBy(s -> s.tag().policy(), Collectors.counting())));
        String kept = keep.isEmpty() ? "no policy (targets." + target + ".keep is empty)"
                : "only " + String.join(", ", new java.util.TreeSet<>(keep.keySet()));
        if (byPolicy.isEmpty()) {
            return Optional.of("no snapshot set exists yet; target " + target + " keeps " + kept
                    + ". zmsnapd takes sets on the policies' schedules, or take one now: zmsnap snapshot --policy NAME");
        }
        String have = byPolicy.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "));
        return Optional.of("no set of a policy target " + target + " keeps: it keeps " + kept + ", the sets here are " + have
                + (byPolicy.containsKey("manual") ? "; 'zmsnap snapshot' without --policy makes manual sets, which are"
                        + " never replicated" : "")
                + ". Take a set under a kept policy (zmsnap snapshot --policy NAME) or add the policy to targets." + target + ".keep");
    }
}
