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
}
