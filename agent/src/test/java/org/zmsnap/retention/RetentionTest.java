package org.zmsnap.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.zmsnap.config.PolicyConfig;
import org.zmsnap.snapshot.SnapshotProperties;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.snapshot.SnapshotTag;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;

class RetentionTest {
    static final List<DatasetName> DS = List.of(DatasetName.of("tank/z/db"), DatasetName.of("tank/z/store"));
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    static SnapshotSet set(String policy, int hour, int holds, int members) {
        SnapshotTag tag = new SnapshotTag(policy, T0.plusSeconds(3600L * hour));
        Map<DatasetName, SnapshotInfo> m = new HashMap<>();
        for (int i = 0; i < members; i++) {
            DatasetName d = DS.get(i);
            m.put(d, new SnapshotInfo(d.at(tag.name()), 1000L * hour + i, tag.time(), hour, i == 0 ? holds : 0,
                    Map.of(SnapshotProperties.DATASETS, Integer.toString(DS.size()))));
        }
        return new SnapshotSet(tag, m, DS.subList(members, DS.size()));
    }

    static Map<String, PolicyConfig> policies(int hourlyKeep) {
        return Map.of("hourly", new PolicyConfig("hourly", "0 0 * * * ?", hourlyKeep),
                "daily", new PolicyConfig("daily", "0 0 2 * * ?", 2));
    }

    static List<String> destroyed(List<Decision> plan) {
        return Retention.toDestroy(plan).stream().map(s -> s.tag().name()).toList();
    }

    @Test
    void keepsTheNewestNPerPolicyAndDestroysTheRestOldestFirst() {
        List<SnapshotSet> sets = new ArrayList<>();
        for (int h = 0; h < 10; h++) {
            sets.add(set("hourly", h, 0, 2));
        }
        sets.add(set("daily", 0, 0, 2));
        sets.add(set("daily", 24, 0, 2));
        sets.add(set("daily", 48, 0, 2));
        List<Decision> plan = Retention.plan(sets, policies(3), Map.of());
        List<String> gone = destroyed(plan);
        assertEquals(8, gone.size(), gone.toString());
        List<Instant> times = Retention.toDestroy(plan).stream().map(x -> x.tag().time()).toList();
        assertEquals(times.stream().sorted().toList(), times, "oldest first");
        assertTrue(gone.contains(new SnapshotTag("daily", T0).name()));
        assertTrue(gone.stream().noneMatch(n -> n.equals(new SnapshotTag("hourly", T0.plusSeconds(9 * 3600)).name())));
        assertEquals(sets.size(), plan.size(), "one decision per set");
    }

    @Test
    void neverDestroysHeldUnconfiguredPartialOrNeededSets() {
        List<SnapshotSet> sets = new ArrayList<>();
        sets.add(set("hourly", 0, 1, 2));      // held
        sets.add(set("hourly", 1, 0, 2));      // needed by a target
        sets.add(set("hourly", 2, 0, 1));      // partial
        sets.add(set("manual", 3, 0, 2));      // no such policy
        sets.add(set("hourly", 4, 0, 2));      // plain old: goes
        sets.add(set("hourly", 5, 0, 2));      // newest: kept
        SnapshotTag needed = sets.get(1).tag();
        List<Decision> plan = Retention.plan(sets, policies(1), Map.of(needed, "dr1"));
        assertEquals(List.of(sets.get(4).tag().name()), destroyed(plan));
        String reasons = plan.toString();
        assertTrue(reasons.contains("hold") && reasons.contains("dr1") && reasons.contains("partial") && reasons.contains("manual"), reasons);
    }

    @Test
    void aPartialSetDoesNotCountTowardsKeep() {
        List<SnapshotSet> sets = List.of(set("hourly", 0, 0, 2), set("hourly", 1, 0, 1));
        assertTrue(destroyed(Retention.plan(sets, policies(1), Map.of())).isEmpty(), "the only complete set stays");
    }

    @Test
    void nothingToDoWhenUnderTheLimit() {
        assertTrue(destroyed(Retention.plan(List.of(set("hourly", 0, 0, 2)), policies(48), Map.of())).isEmpty());
        assertTrue(Retention.plan(List.of(), policies(1), Map.of()).isEmpty());
    }

    @Test
    void newestCountsOnlyPoliciesWithACountAndNeverPartialSets() {
        List<SnapshotSet> sets = List.of(set("hourly", 3, 0, 1), set("hourly", 2, 0, 2), set("hourly", 1, 0, 2),
                set("manual", 4, 0, 2), set("daily", 0, 0, 2));
        var wanted = Retention.wanted(sets, Map.of("hourly", 1));
        assertEquals(List.of(set("hourly", 2, 0, 2).tag()), List.copyOf(wanted), "the partial hour-3 set is never sent");
        assertTrue(Retention.newest(List.of(set("manual", 4, 0, 2).tag()), Map.of("hourly", 5)).isEmpty());
    }

    @Test
    void aDrHostsCountsApplyToCopiesWithoutProperties() {
        // DR copies are received without their user properties: each set is judged by the members it has.
        List<SnapshotSet> sets = new ArrayList<>();
        for (int h = 0; h < 4; h++) {
            sets.add(set("hourly", h, 0, 2));
        }
        List<Decision> plan = Retention.planCounts(sets, Map.of("hourly", 1), Map.of(set("hourly", 1, 0, 2).tag(), "mbox1"));
        assertEquals(List.of(set("hourly", 0, 0, 2).tag().name(), set("hourly", 2, 0, 2).tag().name()), destroyed(plan));
    }

    @Test
    void setsDatedAheadOfThisHostsClockNeverCountAndAreNeverDestroyed() {
        // A compromised source sends 'newest' sets dated 2099: they must not push the real ones out of keep.
        List<SnapshotSet> sets = new ArrayList<>();
        for (int h = 0; h < 3; h++) {
            sets.add(set("hourly", h, 0, 2));
        }
        SnapshotSet forged = set("hourly", 24 * 365 * 70, 0, 2);
        sets.add(forged);
        Instant now = T0.plusSeconds(3 * 3600);
        List<Decision> plan = Retention.planCounts(sets, Map.of("hourly", 2), Map.of(), now);
        assertEquals(List.of(set("hourly", 0, 0, 2).tag().name()), destroyed(plan), "only the oldest real set goes");
        assertTrue(plan.stream().anyMatch(d -> d.set().tag().equals(forged.tag()) && !d.destroy() && d.reason().contains("ahead of this host's clock")));
    }

    @Test
    void onADrHostOnlySetsOnEveryCopyCount() {
        // Sets on some copies only (a cut run, or a forged set on the small redolog copy) neither count nor go.
        List<SnapshotSet> sets = new ArrayList<>(List.of(set("hourly", 5, 0, 1), set("hourly", 4, 0, 1), set("hourly", 3, 0, 1)));
        sets.add(set("hourly", 2, 0, 2));
        sets.add(set("hourly", 1, 0, 2));
        sets.add(set("hourly", 0, 0, 2));
        List<Decision> plan = Pruner.planCopies(sets, Map.of("hourly", 2), "mbox1", T0.plusSeconds(6 * 3600));
        assertEquals(List.of(set("hourly", 0, 0, 2).tag().name()), destroyed(plan));
        assertEquals(sets.size(), plan.size(), "a decision for every set");
    }
}
