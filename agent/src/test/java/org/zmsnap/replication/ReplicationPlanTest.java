package org.zmsnap.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;

class ReplicationPlanTest {
    static final DatasetName SRC = DatasetName.of("tank/zimbra/db");
    static final DatasetName DST = DatasetName.of("backup/mbox1/zimbra/db");

    /** s(name, guid) on the source, t(name, guid) on the target. */
    static SnapshotInfo s(String name, long guid) {
        return new SnapshotInfo(SRC.at(name), guid, Instant.EPOCH.plusSeconds(guid), guid, 0, Map.of());
    }

    static SnapshotInfo t(String name, long guid) {
        return new SnapshotInfo(DST.at(name), guid, Instant.EPOCH.plusSeconds(guid), guid, 0, Map.of());
    }

    static List<String> steps(ReplicationPlan p) {
        return assertInstanceOf(ReplicationPlan.Transfer.class, p, p.toString()).steps().stream().map(ReplicationPlan.Step::describe).toList();
    }

    static final List<SnapshotInfo> SOURCE = List.of(s("a", 1), s("b", 2), s("c", 3), s("d", 4), s("e", 5));
    static final Set<String> ALL = Set.of("a", "b", "c", "d", "e");

    @Test
    void firstRunSendsTheOldestWantedInFullThenOneIncrementalRun() {
        ReplicationPlan p = ReplicationPlan.plan(SOURCE, Optional.empty(), ALL, false);
        assertEquals(List.of("full a", "-I a → e"), steps(p));
    }

    @Test
    void anIntermediatesStepBecomesOnePlainIncrementalPerSnapshotForAReceiverThatTakesOnlyPlainStreams() {
        List<ReplicationPlan.Step> plan = assertInstanceOf(ReplicationPlan.Transfer.class,
                ReplicationPlan.plan(SOURCE, Optional.empty(), ALL, false)).steps();
        List<String> singles = new ArrayList<>();
        plan.forEach(step -> step.asSingles(SOURCE).forEach(x -> singles.add(x.describe())));
        assertEquals(List.of("full a", "-i a → b", "-i b → c", "-i c → d", "-i d → e"), singles);
        ReplicationPlan.Step skip = new ReplicationPlan.Step(Optional.of(s("a", 1)), s("c", 3), false);
        assertEquals(List.of(skip), skip.asSingles(SOURCE), "a plain -i step stays as it is");
    }

    @Test
    void firstRunStartsAtTheOldestWantedNotTheOldestThere() {
        assertEquals(List.of("full c", "-I c → e"), steps(ReplicationPlan.plan(SOURCE, Optional.empty(), Set.of("c", "d", "e"), false)));
    }

    @Test
    void unwantedSnapshotsInBetweenAreSkippedWithMinusI() {
        assertEquals(List.of("full a", "-i a → c", "-i c → e"),
                steps(ReplicationPlan.plan(SOURCE, Optional.empty(), Set.of("a", "c", "e"), false)));
        assertEquals(List.of("-i b → d", "-i d → e"),
                steps(ReplicationPlan.plan(SOURCE, Optional.of(List.of(t("b", 2))), Set.of("d", "e"), false)));
    }

    @Test
    void commonSnapshotIsFoundByGuidNotName() {
        // Seeded by a plain zfs send | zfs receive, under another name.
        ReplicationPlan p = ReplicationPlan.plan(SOURCE, Optional.of(List.of(t("seed", 3))), ALL, false);
        ReplicationPlan.Transfer tr = assertInstanceOf(ReplicationPlan.Transfer.class, p);
        assertEquals("c", tr.common().orElseThrow().name().snapshot());
        assertEquals(List.of("-I c → e"), steps(p));
        // Same name, different GUID: not common.
        assertInstanceOf(ReplicationPlan.Refused.class, ReplicationPlan.plan(SOURCE, Optional.of(List.of(t("e", 99))), ALL, false));
    }

    @Test
    void upToDate() {
        assertInstanceOf(ReplicationPlan.UpToDate.class,
                ReplicationPlan.plan(SOURCE, Optional.of(List.of(t("a", 1), t("e", 5))), ALL, false));
    }

    @Test
    void divergedTargetIsRefusedUnlessRollbackIsAllowed() {
        List<SnapshotInfo> target = List.of(t("a", 1), t("b", 2), t("mine", 42));
        ReplicationPlan.Refused r = assertInstanceOf(ReplicationPlan.Refused.class, ReplicationPlan.plan(SOURCE, Optional.of(target), ALL, false));
        assertTrue(r.reason().contains("diverged") && r.reason().contains("--force-rollback"), r.reason());
        assertEquals(List.of(DST + "@mine"), r.targetOnly());
        ReplicationPlan.Transfer tr = assertInstanceOf(ReplicationPlan.Transfer.class, ReplicationPlan.plan(SOURCE, Optional.of(target), ALL, true));
        assertEquals("b", tr.rollbackTo().orElseThrow().name().snapshot());
        assertEquals(List.of("-I b → e"), steps(tr));
    }

    @Test
    void olderTargetOnlySnapshotsAreNotDivergence() {
        // The target kept an old snapshot the source already pruned: fine.
        List<SnapshotInfo> target = List.of(t("old", 0), t("b", 2));
        assertEquals(List.of("-I b → e"), steps(ReplicationPlan.plan(SOURCE, Optional.of(target), ALL, false)));
    }

    @Test
    void existingTargetWithoutSnapshotsOrCommonIsRefused() {
        assertInstanceOf(ReplicationPlan.Refused.class, ReplicationPlan.plan(SOURCE, Optional.of(List.of()), ALL, false));
        assertInstanceOf(ReplicationPlan.Refused.class, ReplicationPlan.plan(SOURCE, Optional.of(List.of(t("x", 77))), ALL, true));
    }

    @Test
    void nothingWanted() {
        assertInstanceOf(ReplicationPlan.NothingToSend.class, ReplicationPlan.plan(SOURCE, Optional.empty(), Set.of(), false));
        assertInstanceOf(ReplicationPlan.NothingToSend.class, ReplicationPlan.plan(new ArrayList<>(), Optional.empty(), ALL, false));
    }

    // The newest common set: one rule for a target's status, a run's outcome and failback's base.

    static final String H1 = "zmsnap_hourly_2026-11-30T10:00:00Z";
    static final String H2 = "zmsnap_hourly_2026-11-30T11:00:00Z";
    static final String D1 = "zmsnap_daily_2026-11-30T11:30:00Z";
    static final String H3 = "zmsnap_hourly_2026-11-30T12:00:00Z";

    static ReplicationPlan.Sides sides(List<SnapshotInfo> source, List<SnapshotInfo> target) {
        return new ReplicationPlan.Sides(source, target);
    }

    @Test
    void theNewestCommonSetIsTheNewestEveryDatasetSharesByGuid() {
        // db has everything through H3 on the target; store's copy stops at D1: H3 is not a set the target holds whole.
        ReplicationPlan.Sides db = sides(List.of(s(H1, 1), s(H2, 2), s(D1, 3), s(H3, 4)), List.of(t(H1, 1), t(H2, 2), t(D1, 3), t(H3, 4)));
        ReplicationPlan.Sides store = sides(List.of(s(H1, 11), s(H2, 12), s(D1, 13), s(H3, 14)), List.of(t(H1, 11), t(H2, 12), t(D1, 13)));
        assertEquals(Optional.of(D1), ReplicationPlan.newestCommonSet(List.of(db, store)));
        assertEquals(Optional.of(H3), ReplicationPlan.newestCommonSet(List.of(db)));
    }

    @Test
    void aReusedNameIsNotTheSameSnapshot() {
        // The target's H2 was made elsewhere (another GUID): by name it looks common, it is not.
        ReplicationPlan.Sides db = sides(List.of(s(H1, 1), s(H2, 2)), List.of(t(H1, 1), t(H2, 99)));
        assertEquals(Optional.of(H1), ReplicationPlan.newestCommonSet(List.of(db)));
    }

    @Test
    void anAdminsOwnSnapshotIsNoSet() {
        // A manual snapshot newer than every set, on both sides, is common by GUID but restores no set.
        ReplicationPlan.Sides db = sides(List.of(s(H1, 1), s("before-upgrade", 2)), List.of(t(H1, 1), t("before-upgrade", 2)));
        assertEquals(Optional.of(H1), ReplicationPlan.newestCommonSet(List.of(db)));
        ReplicationPlan.Sides only = sides(List.of(s("before-upgrade", 2)), List.of(t("before-upgrade", 2)));
        assertEquals(Optional.empty(), ReplicationPlan.newestCommonSet(List.of(only)));
    }

    @Test
    void noCommonSetWhenOneDatasetSharesNothingOrNoDatasetIsGiven() {
        ReplicationPlan.Sides db = sides(List.of(s(H1, 1)), List.of(t(H1, 1)));
        ReplicationPlan.Sides fresh = sides(List.of(s(H1, 11)), List.of());
        assertEquals(Optional.empty(), ReplicationPlan.newestCommonSet(List.of(db, fresh)));
        assertEquals(Optional.empty(), ReplicationPlan.newestCommonSet(List.of()));
    }

    @Test
    void policiesOrderByTimeNotByName() {
        // "daily" sorts before "hourly" by name; the newest is by the set's time.
        ReplicationPlan.Sides db = sides(List.of(s(H2, 2), s(D1, 3)), List.of(t(H2, 2), t(D1, 3)));
        assertEquals(Optional.of(D1), ReplicationPlan.newestCommonSet(List.of(db)));
    }
}
