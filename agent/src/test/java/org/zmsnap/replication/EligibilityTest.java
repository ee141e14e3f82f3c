package org.zmsnap.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zmsnap.snapshot.SnapshotProperties;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.snapshot.SnapshotTag;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;

class EligibilityTest {
    static final List<DatasetName> DS = List.of(DatasetName.of("tank/z/db"), DatasetName.of("tank/z/store"));
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    static SnapshotSet set(String policy, int hour, int members) {
        SnapshotTag tag = new SnapshotTag(policy, T0.plusSeconds(3600L * hour));
        Map<DatasetName, SnapshotInfo> m = new HashMap<>();
        for (int i = 0; i < members; i++) {
            DatasetName d = DS.get(i);
            m.put(d, new SnapshotInfo(d.at(tag.name()), 1000L * hour + i, tag.time(), hour, 0,
                    Map.of(SnapshotProperties.DATASETS, Integer.toString(DS.size()))));
        }
        return new SnapshotSet(tag, m, DS.subList(members, DS.size()));
    }

    @Test
    void aSetOfAKeptPolicyIsEligible() {
        assertEquals(Optional.empty(), Eligibility.nothingEligible("dr1", List.of(set("hourly", 1, 2)), Map.of("hourly", 1)));
    }

    @Test
    void noSetYetSaysSo() {
        String why = Eligibility.nothingEligible("dr1", List.of(), Map.of("hourly", 48, "daily", 30)).orElseThrow();
        assertTrue(why.startsWith("no snapshot set exists yet; target dr1 keeps only daily, hourly"), why);
    }

    @Test
    void onlyUnkeptPoliciesNameWhatExistsAndWhatIsKept() {
        String why = Eligibility.nothingEligible("dr1", List.of(set("manual", 1, 2), set("manual", 2, 2), set("weekly", 3, 2)),
                Map.of("hourly", 48)).orElseThrow();
        assertTrue(why.startsWith("no set of a policy target dr1 keeps: it keeps only hourly, the sets here are manual (2), weekly (1)"),
                why);
        assertTrue(why.contains("without --policy makes manual sets, which are never replicated"), why);
        assertTrue(why.contains("targets.dr1.keep"), why);
    }

    @Test
    void aPartialSetOfAKeptPolicyIsNotEligible() {
        String why = Eligibility.nothingEligible("dr1", List.of(set("hourly", 1, 1)), Map.of("hourly", 48)).orElseThrow();
        assertTrue(why.startsWith("no snapshot set exists yet"), why);
    }

    @Test
    void anEmptyKeepIsNamed() {
        String why = Eligibility.nothingEligible("dr1", List.of(set("hourly", 1, 2)), Map.of()).orElseThrow();
        assertTrue(why.contains("keeps no policy (targets.dr1.keep is empty)"), why);
    }
}
