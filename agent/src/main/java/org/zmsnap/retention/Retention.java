package org.zmsnap.retention;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.zmsnap.config.PolicyConfig;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.snapshot.SnapshotTag;

/**
 * Which sets to destroy: a pure function of the sets on disk, the policies and what targets still need.
 * Per policy the newest {@code keep} complete sets stay; older ones go, oldest first, a whole set at a time.
 * Never destroyed: a set whose policy is not configured (e.g. manual), a partial set (the cycle removes
 * those), a set any of whose snapshots carries a hold, and a set a replication target still needs.
 */
public final class Retention {
    private Retention() {}

    /**
     * @param sets      zmsnap's sets (foreign snapshots never reach here: the catalog reads only zmsnap's names)
     * @param needed    tags a replication target still needs (its newest common snapshot), with the target's name
     * @return one decision per set, the ones to destroy oldest first
     */
    public static List<Decision> plan(List<SnapshotSet> sets, Map<String, PolicyConfig> policies, Map<SnapshotTag, String> needed) {
        Map<String, List<SnapshotSet>> byPolicy = new LinkedHashMap<>();
        List<Decision> keep = new ArrayList<>();
        for (SnapshotSet s : sets) {
            if (!policies.containsKey(s.tag().policy())) {
                keep.add(new Decision(s, Decision.Action.KEEP, "policy '" + s.tag().policy() + "' has no retention (not configured)"));
            } else if (!s.complete()) {
                keep.add(new Decision(s, Decision.Action.KEEP, "partial set (" + s.members().size() + " of " + s.intendedSize() + " datasets); the next cycle removes it"));
            } else {
                byPolicy.computeIfAbsent(s.tag().policy(), p -> new ArrayList<>()).add(s);
            }
        }
        List<Decision> destroy = new ArrayList<>();
        byPolicy.forEach((policy, list) -> {
            list.sort(Comparator.comparing(SnapshotSet::tag).reversed());
            int limit = policies.get(policy).keep();
            for (int i = 0; i < list.size(); i++) {
                SnapshotSet s = list.get(i);
                if (i < limit) {
                    keep.add(new Decision(s, Decision.Action.KEEP, "newest " + limit + " of " + policy));
                } else if (needed.containsKey(s.tag())) {
                    keep.add(new Decision(s, Decision.Action.KEEP, "target " + needed.get(s.tag()) + " still needs it"));
                } else if (s.held()) {
                    keep.add(new Decision(s, Decision.Action.KEEP, "a snapshot of the set carries a hold"));
                } else {
                    destroy.add(new Decision(s, Decision.Action.DESTROY, "older than the newest " + limit + " of " + policy));
                }
            }
        });
        destroy.sort(Comparator.comparing((Decision d) -> d.set().tag()));
        List<Decision> out = new ArrayList<>(destroy);
        keep.sort(Comparator.comparing((Decision d) -> d.set().tag()).reversed());
        out.addAll(keep);
        return out;
    }

    /** Convenience for callers that only want the sets to destroy. */
    public static List<SnapshotSet> toDestroy(List<Decision> plan) {
        return plan.stream().filter(Decision::destroy).map(Decision::set).toList();
    }
}
