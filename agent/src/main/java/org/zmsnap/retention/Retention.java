package org.zmsnap.retention;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.zmsnap.config.PolicyConfig;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.snapshot.SnapshotTag;

/**
 * Which sets to keep and which to destroy: pure functions of the sets on disk, the counts to keep per policy
 * and what targets still need. The one retention rule, used on the mailbox host (its policies), for a push
 * target's copies, by a DR host for its sources, and for rsync targets.
 *
 * <p>Per policy the newest {@code keep} complete sets stay; older ones go, oldest first, a whole set at a time.
 * Never destroyed: a set whose policy has no count (e.g. manual), a partial set (the cycle removes those), a set
 * any of whose snapshots carries a hold, and a set a replication target still needs.
 */
public final class Retention {
    private Retention() {}

    /** The counts of a host's own policies. */
    public static Map<String, Integer> counts(Map<String, PolicyConfig> policies) {
        Map<String, Integer> out = new LinkedHashMap<>();
        policies.values().forEach(p -> out.put(p.name(), p.keep()));
        return out;
    }

    /**
     * The tags within the newest {@code keep} of their policy. Tags of a policy without a count are not in it:
     * callers decide what such a set means to them (kept on a host, not sent to a target).
     */
    public static Set<SnapshotTag> newest(Collection<SnapshotTag> tags, Map<String, Integer> keep) {
        List<SnapshotTag> sorted = new ArrayList<>(tags);
        sorted.sort(Comparator.reverseOrder());
        Map<String, Integer> seen = new LinkedHashMap<>();
        Set<SnapshotTag> out = new HashSet<>();
        for (SnapshotTag t : sorted) {
            Integer limit = keep.get(t.policy());
            if (limit != null && seen.merge(t.policy(), 1, Integer::sum) <= limit) {
                out.add(t);
            }
        }
        return out;
    }

    /** What a target wants sent: the newest {@code keep} complete sets of each policy in its keep. */
    public static Set<SnapshotTag> wanted(List<SnapshotSet> sets, Map<String, Integer> keep) {
        return newest(sets.stream().filter(SnapshotSet::complete).map(SnapshotSet::tag).toList(), keep);
    }

    /** How far ahead of this host's clock a tag may be dated and still count (clocks of two hosts differ). */
    public static final java.time.Duration CLOCK_SKEW = java.time.Duration.ofHours(1);

    /** As {@link #plan(List, Map, Map)} with a host's own policies. */
    public static List<Decision> plan(List<SnapshotSet> sets, Map<String, PolicyConfig> policies, Map<SnapshotTag, String> needed) {
        return planCounts(sets, counts(policies), needed);
    }

    /** As {@link #planCounts(List, Map, Map, java.time.Instant)} at this host's time. */
    public static List<Decision> planCounts(List<SnapshotSet> sets, Map<String, Integer> keep, Map<SnapshotTag, String> needed) {
        return planCounts(sets, keep, needed, java.time.Instant.now());
    }

    /**
     * @param sets   zmsnap's sets (foreign snapshots never reach here: the catalog reads only zmsnap's names)
     * @param keep   how many sets of each policy to keep
     * @param needed tags a replication target still needs (its newest common snapshot), with the target's name
     * @param now    this host's time: sets dated more than {@link #CLOCK_SKEW} after it are kept and not counted
     * @return one decision per set, the ones to destroy oldest first
     */
    public static List<Decision> planCounts(List<SnapshotSet> sets, Map<String, Integer> keep, Map<SnapshotTag, String> needed,
                                            java.time.Instant now) {
        // A set dated ahead of this host's clock never counts: on a DR host it may come from a compromised source
        // that wants its forged 'newest' sets to push every real one out of the count.
        java.time.Instant latest = now.plus(CLOCK_SKEW);
        Set<SnapshotTag> newest = wanted(sets.stream().filter(x -> !x.tag().time().isAfter(latest)).toList(), keep);
        List<Decision> kept = new ArrayList<>();
        List<Decision> destroy = new ArrayList<>();
        for (SnapshotSet s : sets) {
            String policy = s.tag().policy();
            Integer limit = keep.get(policy);
            if (s.tag().time().isAfter(latest)) {
                kept.add(new Decision(s, Decision.Action.KEEP, "dated " + s.tag().time() + ", ahead of this host's clock: never"
                        + " counted, never destroyed (a wrong clock on the host that made it, or a forged set; check it)"));
            } else if (limit == null) {
                kept.add(new Decision(s, Decision.Action.KEEP, "policy '" + policy + "' has no retention (not configured)"));
            } else if (!s.complete()) {
                kept.add(new Decision(s, Decision.Action.KEEP, "partial set (" + s.members().size() + " of " + s.intendedSize() + " datasets); the next cycle removes it"));
            } else if (newest.contains(s.tag())) {
                kept.add(new Decision(s, Decision.Action.KEEP, "newest " + limit + " of " + policy));
            } else if (needed.containsKey(s.tag())) {
                kept.add(new Decision(s, Decision.Action.KEEP, "target " + needed.get(s.tag()) + " still needs it"));
            } else if (s.held()) {
                kept.add(new Decision(s, Decision.Action.KEEP, "a snapshot of the set carries a hold"));
            } else {
                destroy.add(new Decision(s, Decision.Action.DESTROY, "older than the newest " + limit + " of " + policy));
            }
        }
        destroy.sort(Comparator.comparing((Decision d) -> d.set().tag()));
        List<Decision> out = new ArrayList<>(destroy);
        kept.sort(Comparator.comparing((Decision d) -> d.set().tag()).reversed());
        out.addAll(kept);
        return out;
    }

    /** Convenience for callers that only want the sets to destroy. */
    public static List<SnapshotSet> toDestroy(List<Decision> plan) {
        return plan.stream().filter(Decision::destroy).map(Decision::set).toList();
    }
}
