package org.zmsnap.failback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;

class FailbackPlanTest {
    static final DatasetName DB = DatasetName.of("tank/zimbra/db");
    static final DatasetName COPY = DatasetName.of("backup/mbox1/zimbra/db");
    static final String S1 = "zmsnap_hourly_2026-11-30T10:00:00Z";
    static final String S2 = "zmsnap_hourly_2026-11-30T11:00:00Z";
    static final String S3 = "zmsnap_hourly_2026-11-30T12:00:00Z";
    static final String DR1 = "zmsnap_hourly_2026-11-30T13:00:00Z";
    static final Instant NOW = Instant.parse("2026-11-30T15:00:00Z");

    static SnapshotInfo snap(DatasetName d, String name, long guid) {
        return new SnapshotInfo(d.at(name), guid, Instant.EPOCH.plusSeconds(guid), guid, 0, Map.of());
    }

    static FailbackPlan.Facts facts(List<SnapshotInfo> local, Optional<Long> written, Optional<String> promoted,
                                    Optional<HandbackMark> handback) {
        List<SnapshotInfo> copy = List.of(snap(COPY, S1, 1), snap(COPY, S2, 2), snap(COPY, DR1, 10));
        return new FailbackPlan.Facts(DB, true, local, written, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), COPY, true, copy, promoted, handback, false);
    }

    static final Optional<String> PROMOTED = Optional.of("2026-11-30T12:30:00Z " + S2 + " dr1");

    @Test
    void theCommonSetIsTheNewestSharedByGuidAndNewerStateIsSalvaged() {
        List<SnapshotInfo> local = List.of(snap(DB, S1, 1), snap(DB, S2, 2), snap(DB, S3, 3));
        FailbackPlan p = FailbackPlan.decide(List.of(facts(local, Optional.of(0L), PROMOTED, Optional.empty())), true, List.of(), "dr1", NOW);
        FailbackPlan.Ready r = assertInstanceOf(FailbackPlan.Ready.class, p);
        assertEquals(S2, r.common());
        assertEquals(Optional.of("zmsnap_salvage_2026-11-30T15:00:00Z"), r.salvage(), "a set the DR host never got");
        assertEquals(List.of(FailbackPlan.Phase.ORIGINAL), r.phases());
    }

    @Test
    void aSameNamedSnapshotWithAnotherGuidIsNotCommon() {
        List<SnapshotInfo> local = List.of(snap(DB, S1, 1), snap(DB, S2, 99));
        FailbackPlan.Ready r = assertInstanceOf(FailbackPlan.Ready.class,
                FailbackPlan.decide(List.of(facts(local, Optional.of(0L), PROMOTED, Optional.empty())), true, List.of(), "dr1", NOW));
        assertEquals(S1, r.common());
    }

    @Test
    void nothingWrittenSinceTheCommonSetNeedsNoSalvage() {
        List<SnapshotInfo> local = List.of(snap(DB, S1, 1), snap(DB, S2, 2));
        FailbackPlan.Ready r = assertInstanceOf(FailbackPlan.Ready.class,
                FailbackPlan.decide(List.of(facts(local, Optional.of(0L), PROMOTED, Optional.empty())), true, List.of(), "dr1", NOW));
        assertTrue(r.salvage().isEmpty());
        assertEquals(List.of(FailbackPlan.Phase.CLEAN), r.phases());
        // where ZFS cannot say what was written (zfs-fuse), assume something was
        r = assertInstanceOf(FailbackPlan.Ready.class,
                FailbackPlan.decide(List.of(facts(local, Optional.empty(), PROMOTED, Optional.empty())), true, List.of(), "dr1", NOW));
        assertTrue(r.salvage().isPresent());
    }

    @Test
    void refusals() {
        List<SnapshotInfo> local = List.of(snap(DB, S1, 1), snap(DB, S2, 2));
        assertRefused(FailbackPlan.decide(List.of(facts(local, Optional.of(0L), Optional.empty(), Optional.empty())), true, List.of(), "dr1", NOW),
                true, "not promoted");
        assertRefused(FailbackPlan.decide(List.of(facts(local, Optional.of(0L), PROMOTED, Optional.empty())), false, List.of(), "dr1", NOW),
                true, "has not granted");
        assertRefused(FailbackPlan.decide(List.of(facts(local, Optional.of(0L), PROMOTED, Optional.empty())), true, List.of("42 (mariadbd)"), "dr1", NOW),
                true, "in use by 42 (mariadbd)");
        List<SnapshotInfo> foreign = List.of(snap(DB, S1, 71), snap(DB, S2, 72));
        assertRefused(FailbackPlan.decide(List.of(facts(foreign, Optional.of(0L), PROMOTED, Optional.empty())), true, List.of(), "dr1", NOW),
                false, "no set is common");
        FailbackPlan.Facts clones = new FailbackPlan.Facts(DB, true, local, Optional.of(0L), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), COPY, true, List.of(), PROMOTED, Optional.empty(), true);
        assertRefused(FailbackPlan.decide(List.of(clones), true, List.of(), "dr1", NOW), true, "promoted as clones");
    }

    @Test
    void anInterruptedResetContinuesFromWhatZfsShows() {
        String salvage = "zmsnap_salvage_2026-11-30T14:00:00Z";
        DatasetName aside = DatasetName.of("tank/zimbra/db_salvage_20261130T140000Z");
        List<SnapshotInfo> history = new ArrayList<>(List.of(snap(aside, S1, 1), snap(aside, S2, 2), snap(aside, salvage, 5)));
        // renamed aside, not yet cloned back: the dataset is gone, its history is in the aside
        FailbackPlan.Facts renamed = new FailbackPlan.Facts(DB, false, history, Optional.empty(), Optional.of(salvage), Optional.of(aside),
                Optional.empty(), Optional.empty(), COPY, true, facts(List.of(), Optional.empty(), PROMOTED, Optional.empty()).copySnaps(),
                PROMOTED, Optional.empty(), false);
        FailbackPlan.Ready r = assertInstanceOf(FailbackPlan.Ready.class, FailbackPlan.decide(List.of(renamed), true, List.of(), "dr1", NOW));
        assertEquals(List.of(FailbackPlan.Phase.RENAMED), r.phases());
        assertEquals(Optional.of(salvage), r.salvage(), "the name the first run chose, not a new one");
        assertEquals(S2, r.common());
        // cloned back, not promoted
        // before the promote the clone has no snapshots of its own: the survey hands it the aside's history
        FailbackPlan.Facts cloned = new FailbackPlan.Facts(DB, true, history, Optional.of(0L), Optional.of(salvage), Optional.of(aside),
                Optional.empty(), Optional.of(aside + "@" + S2), COPY, true, renamed.copySnaps(), PROMOTED, Optional.empty(), false);
        r = assertInstanceOf(FailbackPlan.Ready.class, FailbackPlan.decide(List.of(cloned), true, List.of(), "dr1", NOW));
        assertEquals(List.of(FailbackPlan.Phase.CLONED), r.phases());
        // reset done: the aside is a clone of the dataset's common snapshot
        FailbackPlan.Facts reset = new FailbackPlan.Facts(DB, true, List.of(snap(DB, S1, 1), snap(DB, S2, 2)), Optional.of(0L), Optional.of(salvage),
                Optional.of(aside), Optional.of(DB + "@" + S2), Optional.empty(), COPY, true, renamed.copySnaps(), PROMOTED, Optional.empty(), false);
        r = assertInstanceOf(FailbackPlan.Ready.class, FailbackPlan.decide(List.of(reset), true, List.of(), "dr1", NOW));
        assertEquals(List.of(FailbackPlan.Phase.RESET), r.phases());
    }

    @Test
    void afterTheHandbackAndTheFinalSetTheOldHostIsLiveWithoutAGrant() {
        HandbackMark h = new HandbackMark(NOW, DR1, "dr1");
        List<SnapshotInfo> local = List.of(snap(DB, S1, 1), snap(DB, S2, 2), snap(DB, DR1, 10));
        FailbackPlan.Ready r = assertInstanceOf(FailbackPlan.Ready.class,
                FailbackPlan.decide(List.of(facts(local, Optional.empty(), Optional.empty(), Optional.of(h))), false, List.of(), "dr1", NOW));
        assertTrue(r.live());
    }

    @Test
    void aCutoverCutShortIsDoneAgainNotCalledLive() {
        HandbackMark h = new HandbackMark(NOW, DR1, "dr1");
        String salvage = "zmsnap_salvage_2026-11-30T14:00:00Z";
        DatasetName aside = DatasetName.of("tank/zimbra/db_salvage_20261130T140000Z");
        List<SnapshotInfo> local = List.of(snap(DB, S1, 1), snap(DB, S2, 2), snap(DB, DR1, 10));
        List<SnapshotInfo> copy = facts(List.of(), Optional.empty(), Optional.empty(), Optional.empty()).copySnaps();
        // the final set received, nothing salvaged (OpenZFS, nothing written), cut before the datasets were writable and
        // mounted: still fenced, so not live
        FailbackPlan.Facts fenced = new FailbackPlan.Facts(DB, true, local, Optional.of(0L), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), COPY, true, copy, Optional.empty(), Optional.of(h), false, true);
        FailbackPlan.Ready r = assertInstanceOf(FailbackPlan.Ready.class, FailbackPlan.decide(List.of(fenced), true, List.of(), "dr1", NOW));
        assertFalse(r.live());
        assertEquals(Optional.of(h), r.handback());
        // with a salvage: one dataset's mark already removed by the cut cutover, another's not. The unmarked one is found
        // reset by its kept-aside state (the survey looks it up by the other's mark), never salvaged or renamed again
        DatasetName store = DatasetName.of("tank/zimbra/store");
        DatasetName storeAside = DatasetName.of("tank/zimbra/store_salvage_20261130T140000Z");
        FailbackPlan.Facts unmarked = new FailbackPlan.Facts(DB, true, local, Optional.empty(), Optional.empty(), Optional.of(aside),
                Optional.of(DB + "@" + S2), Optional.empty(), COPY, true, copy, Optional.empty(), Optional.of(h), false, false);
        FailbackPlan.Facts marked = new FailbackPlan.Facts(store, true, List.of(snap(store, S1, 1), snap(store, S2, 2), snap(store, DR1, 10)),
                Optional.empty(), Optional.of(salvage), Optional.of(storeAside), Optional.of(store + "@" + S2), Optional.empty(),
                COPY, true, copy, Optional.empty(), Optional.of(h), false, true);
        r = assertInstanceOf(FailbackPlan.Ready.class, FailbackPlan.decide(List.of(unmarked, marked), true, List.of(), "dr1", NOW));
        assertFalse(r.live());
        assertEquals(List.of(FailbackPlan.Phase.RESET, FailbackPlan.Phase.RESET), r.phases());
        assertEquals(Optional.of(salvage), r.salvage());
        assertTrue(r.salvageTaken(), "no second salvage snapshot");
        // once live, this host's own next set does not make it 'not live'
        List<SnapshotInfo> later = List.of(snap(DB, S1, 1), snap(DB, S2, 2), snap(DB, DR1, 10), snap(DB, "zmsnap_hourly_2026-11-30T16:00:00Z", 11));
        r = assertInstanceOf(FailbackPlan.Ready.class,
                FailbackPlan.decide(List.of(facts(later, Optional.empty(), Optional.empty(), Optional.of(h))), false, List.of(), "dr1", NOW));
        assertTrue(r.live());
    }

    @Test
    void aHandbackMarkOfAnEarlierFailbackOnACopyPromotedAgainIsStale() {
        HandbackMark old = new HandbackMark(NOW.minusSeconds(86400), S1, "dr1");
        List<SnapshotInfo> local = List.of(snap(DB, S1, 1), snap(DB, S2, 2));
        FailbackPlan.Ready r = assertInstanceOf(FailbackPlan.Ready.class,
                FailbackPlan.decide(List.of(facts(local, Optional.of(0L), PROMOTED, Optional.of(old))), true, List.of(), "dr1", NOW));
        assertFalse(r.live(), "promoted again: the failback starts over, it is not done");
        assertTrue(r.handback().isEmpty());
    }

    static void assertRefused(FailbackPlan p, boolean usage, String fragment) {
        FailbackPlan.Refused r = assertInstanceOf(FailbackPlan.Refused.class, p);
        assertTrue(r.reason().contains(fragment), r.reason());
        assertEquals(usage, r.usage(), r.reason());
    }
}
