package org.zmsnap.promote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.snapshot.SnapshotProperties;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;

/** The pure decision of a promotion: which set, in place or as clones, where, the steps — or why not. */
class PromotionPlanTest {
    static final DatasetName DB = DatasetName.of("tank/zimbra/db");
    static final DatasetName STORE = DatasetName.of("tank/zimbra/store");
    static final DatasetName COPY_DB = DatasetName.of("backup/mbox1/zimbra/db");
    static final DatasetName COPY_STORE = DatasetName.of("backup/mbox1/zimbra/store");
    static final String T1 = "zmsnap_hourly_2026-11-30T10:00:00Z";
    static final String T2 = "zmsnap_hourly_2026-11-30T11:00:00Z";
    static final String T3 = "zmsnap_hourly_2026-11-30T12:00:00Z";
    static final Instant NOW = Instant.parse("2026-11-30T12:30:00Z");

    static SourceConfig source(Map<DatasetName, Path> mountpoints) {
        return new SourceConfig("mbox1", List.of(DB, STORE), DatasetName.of("backup/mbox1"), Map.of("hourly", 10),
                Optional.empty(), mountpoints, Duration.ofHours(2), "0 30 * * * ?");
    }

    static final SourceConfig SRC = source(Map.of(DB, Path.of("/opt/zimbra/db")));

    static SnapshotInfo snap(DatasetName d, String name, long txg, Map<String, String> props) {
        return new SnapshotInfo(d.at(name), txg * 7919, Instant.parse("2026-11-30T00:00:00Z").plusSeconds(txg), txg, 0, props);
    }

    /** A copy as replication leaves it: read-only, unmounted, with the given snapshots (oldest first). */
    static CopyState copy(DatasetName source, DatasetName copy, String... snaps) {
        List<SnapshotInfo> l = new ArrayList<>();
        long txg = 1;
        for (String s : snaps) {
            l.add(snap(copy, s, txg++, Map.of()));
        }
        return new CopyState(source, copy, true, l, true, false, Optional.empty(), Optional.empty(),
                Optional.of(Path.of("/opt/zimbra/" + source.value().substring(source.value().lastIndexOf('/') + 1))), Optional.empty());
    }

    static Survey survey(CopyState... copies) {
        return new Survey(List.of(copies), new MountTable(Map.of()), Map.of(), List.of(), false);
    }

    static PromotionPlan plan(SourceConfig src, Survey s, PromoteRequest req) {
        return PromotionPlan.plan(src, s, req, NOW, "dr1", Path.of("/etc/zmsnap/zmsnap.promoted-mbox1.yaml"),
                new PromotedConfig.Site("dr1", Path.of("/run/zmsnap/cycle.lock"), "zfs"));
    }

    static PromotionPlan latest(Survey s) {
        return plan(SRC, s, PromoteRequest.latest("mbox1"));
    }

    static PromotionPlan.Refused refused(PromotionPlan p, String... fragments) {
        PromotionPlan.Refused r = assertInstanceOf(PromotionPlan.Refused.class, p, p.toString());
        for (String f : fragments) {
            assertTrue(r.reason().contains(f), "'" + f + "' in: " + r.reason());
        }
        return r;
    }

    static List<String> steps(PromotionPlan.Ready r) {
        return r.steps().stream().map(Step::describe).toList();
    }

    @Test
    void theNewestSetOfUntouchedCopiesGoesLiveInPlaceAfterTheStateIsKept() {
        PromotionPlan.Ready r = assertInstanceOf(PromotionPlan.Ready.class,
                latest(survey(copy(DB, COPY_DB, T1, T2, T3), copy(STORE, COPY_STORE, T1, T2, T3))));
        assertEquals(T3, r.set().name());
        assertEquals(PromotionPlan.Mode.IN_PLACE, r.mode());
        assertEquals("unknown", r.consistency(), "DR copies carry no metadata");
        assertEquals(Path.of("/opt/zimbra/db"), r.mountpoints().get(COPY_DB), "configured");
        assertEquals(Path.of("/opt/zimbra/store"), r.mountpoints().get(COPY_STORE), "recorded at the seed");
        String pre = "zmsnap_prepromote_2026-11-30T12:30:00Z";
        assertEquals(List.of(
                "zfs snapshot " + COPY_DB + "@" + pre,
                "zfs snapshot " + COPY_STORE + "@" + pre,
                "zfs hold zmsnap:prepromote " + COPY_DB + "@" + pre,
                "zfs hold zmsnap:prepromote " + COPY_STORE + "@" + pre,
                "zfs hold zmsnap:failback-base " + COPY_DB + "@" + T3,
                "zfs hold zmsnap:failback-base " + COPY_STORE + "@" + T3,
                "zfs set readonly=off " + COPY_DB,
                "zfs set mountpoint=/opt/zimbra/db " + COPY_DB,
                "zfs mount " + COPY_DB + "   (at /opt/zimbra/db)",
                "zfs set readonly=off " + COPY_STORE,
                "zfs set mountpoint=/opt/zimbra/store " + COPY_STORE,
                "zfs mount " + COPY_STORE + "   (at /opt/zimbra/store)",
                "zfs set 'org.zmsnap:promoted=2026-11-30T12:30:00Z " + T3 + " dr1' " + COPY_DB,
                "zfs set 'org.zmsnap:promoted=2026-11-30T12:30:00Z " + T3 + " dr1' " + COPY_STORE,
                "write the suggested mailbox-host config /etc/zmsnap/zmsnap.promoted-mbox1.yaml"), steps(r));
        assertTrue(steps(r).stream().noneMatch(s -> s.contains("rollback") || s.contains("destroy")));
    }

    @Test
    void aSetCutBetweenDatasetsIsNeverChosenAndTheOlderCompleteOneGoesLiveAsClones() {
        // The last pull stopped after db: T3 is on db only.
        PromotionPlan.Ready r = assertInstanceOf(PromotionPlan.Ready.class,
                latest(survey(copy(DB, COPY_DB, T1, T2, T3), copy(STORE, COPY_STORE, T1, T2))));
        assertEquals(T2, r.set().name());
        assertEquals(PromotionPlan.Mode.CLONE, r.mode());
        assertTrue(r.modeReason().contains(COPY_DB + " has snapshots newer than " + T2), r.modeReason());
        List<String> s = steps(r);
        assertTrue(s.contains("zfs clone -o readonly=off -o setuid=off -o devices=off -o mountpoint=/opt/zimbra/db " + COPY_DB + "@" + T2 + " " + COPY_DB + "_promoted"), s.toString());
        assertTrue(s.contains("zfs set 'org.zmsnap:promoted=2026-11-30T12:30:00Z " + T2 + " dr1' " + COPY_DB), "the copies are marked too");
        assertTrue(s.stream().noneMatch(x -> x.contains("readonly=off " + COPY_DB) || x.contains("rollback")), "copies untouched: " + s);
        assertEquals(COPY_DB.value() + "_promoted", r.live().get(COPY_DB).value());
    }

    @Test
    void anOlderNamedSetKeepsTheNewerOnesAndItsConsistencyIsReported() {
        CopyState db = copy(DB, COPY_DB, T1, T2, T3);
        List<SnapshotInfo> withMeta = new ArrayList<>(db.snapshots());
        withMeta.set(0, snap(COPY_DB, T1, 1, Map.of(SnapshotProperties.CONSISTENT, "yes")));
        db = new CopyState(DB, COPY_DB, true, withMeta, true, false, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        PromotionPlan.Ready r = assertInstanceOf(PromotionPlan.Ready.class, plan(source(Map.of(DB, Path.of("/a"), STORE, Path.of("/b"))),
                survey(db, copy(STORE, COPY_STORE, T1, T2, T3)), new PromoteRequest("mbox1", Optional.of(T1), false, false)));
        assertEquals(T1, r.set().name());
        assertEquals("yes", r.consistency());
        assertEquals(PromotionPlan.Mode.CLONE, r.mode());
        assertTrue(r.warnings().isEmpty(), r.warnings().toString());
    }

    @Test
    void aTouchedCopyIsNotTrustedToBeItsNewestSet() {
        CopyState db = copy(DB, COPY_DB, T1, T2);
        db = new CopyState(DB, COPY_DB, true, db.snapshots(), false, false, Optional.empty(), Optional.empty(), db.recordedMountpoint(), Optional.empty());
        PromotionPlan.Ready r = assertInstanceOf(PromotionPlan.Ready.class, latest(survey(db, copy(STORE, COPY_STORE, T1, T2))));
        assertEquals(PromotionPlan.Mode.CLONE, r.mode());
        assertTrue(r.modeReason().contains("writable"), r.modeReason());
    }

    @Test
    void inconsistentSetsAreSkippedByLatestAndPromotedOnlyWhenNamed() {
        CopyState db = copy(DB, COPY_DB, T1, T2);
        List<SnapshotInfo> s = new ArrayList<>(db.snapshots());
        s.set(1, snap(COPY_DB, T2, 2, Map.of(SnapshotProperties.CONSISTENT, "no")));
        db = new CopyState(DB, COPY_DB, true, s, true, false, Optional.empty(), Optional.empty(), db.recordedMountpoint(), Optional.empty());
        Survey sv = survey(db, copy(STORE, COPY_STORE, T1, T2));
        assertEquals(T1, assertInstanceOf(PromotionPlan.Ready.class, latest(sv)).set().name());
        PromotionPlan.Ready named = assertInstanceOf(PromotionPlan.Ready.class,
                plan(SRC, sv, new PromoteRequest("mbox1", Optional.of(T2), false, false)));
        assertTrue(named.warnings().stream().anyMatch(w -> w.contains("consistent=no")), named.warnings().toString());
    }

    @Test
    void promoteSnapshotsOfAnEarlierAttemptAreNotSets() {
        String pre = "zmsnap_prepromote_2026-11-30T12:00:00Z";
        PromotionPlan.Ready r = assertInstanceOf(PromotionPlan.Ready.class,
                latest(survey(copy(DB, COPY_DB, T1, T2, pre), copy(STORE, COPY_STORE, T1, T2, pre))));
        assertEquals(T2, r.set().name());
        assertEquals(PromotionPlan.Mode.CLONE, r.mode(), "the copies have a snapshot newer than the set");
    }

    @Test
    void alreadyPromotedSaysWhenAndToWhichSet() {
        CopyState db = copy(DB, COPY_DB, T1);
        db = new CopyState(DB, COPY_DB, true, db.snapshots(), false, true,
                Optional.of("2026-11-30T12:01:02Z " + T1 + " dr1"), Optional.empty(), Optional.empty(), Optional.empty());
        PromotionPlan.Refused r = refused(latest(survey(db, copy(STORE, COPY_STORE, T1))),
                "already promoted at 2026-11-30T12:01:02Z to set " + T1 + " on host dr1");
        assertFalse(r.busy());
    }

    @Test
    void aRunningReceiveIsBusy() {
        Survey s = new Survey(List.of(copy(DB, COPY_DB, T1), copy(STORE, COPY_STORE, T1)), new MountTable(Map.of()), Map.of(),
                List.of("pid 42: zfs receive -u " + COPY_DB), false);
        assertTrue(refused(latest(s), "a receive into backup/mbox1 is running", "pid 42").busy());
    }

    @Test
    void noCompleteSet() {
        refused(latest(survey(copy(DB, COPY_DB, T1), CopyState.absent(STORE, COPY_STORE))), "no complete set", COPY_STORE.value(), "never received");
        refused(latest(survey(copy(DB, COPY_DB, T1, T2), copy(STORE, COPY_STORE))), "no complete set", "no zmsnap set is on every copy",
                T2 + " missing on [" + COPY_STORE + "]");
        refused(plan(SRC, survey(copy(DB, COPY_DB, T1, T2), copy(STORE, COPY_STORE, T1)), new PromoteRequest("mbox1", Optional.of(T2), false, false)),
                "set " + T2 + " is not complete here", "complete sets: " + T1);
        refused(plan(SRC, survey(copy(DB, COPY_DB, T1), copy(STORE, COPY_STORE, T1)), new PromoteRequest("mbox1", Optional.of("zmsnap_hourly_1999-01-01T00:00:00Z"), false, false)),
                "unknown set 'zmsnap_hourly_1999-01-01T00:00:00Z'", "complete on every copy: " + T1);
    }

    @Test
    void aCutReceiveIsRefusedUnlessAbortPartialThenDiscardedFirst() {
        CopyState db = copy(DB, COPY_DB, T1, T2);
        db = new CopyState(DB, COPY_DB, true, db.snapshots(), true, false, Optional.empty(), Optional.of("1-abc-def"),
                db.recordedMountpoint(), Optional.empty());
        Survey s = survey(db, copy(STORE, COPY_STORE, T1, T2));
        refused(latest(s), "was cut mid-stream", "--abort-partial");
        PromotionPlan.Ready r = assertInstanceOf(PromotionPlan.Ready.class, plan(SRC, s, new PromoteRequest("mbox1", Optional.empty(), false, true)));
        assertEquals(new Step.AbortPartial(COPY_DB), r.steps().get(0));
        assertEquals(T2, r.set().name());
    }

    @Test
    void mountpointsMustBeKnownDistinctAndFree() {
        Survey plain = survey(copy(DB, COPY_DB, T1), copy(STORE, COPY_STORE, T1));
        CopyState noRecord = new CopyState(STORE, COPY_STORE, true, copy(STORE, COPY_STORE, T1).snapshots(), true, false,
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        refused(latest(survey(copy(DB, COPY_DB, T1), noRecord)), "no mountpoint for " + STORE, "sources.mbox1.mountpoints." + STORE);
        refused(plan(source(Map.of(DB, Path.of("/x"), STORE, Path.of("/x"))), plain, PromoteRequest.latest("mbox1")), "would both be mounted on /x");
        Survey mounted = new Survey(plain.copies(), new MountTable(Map.of(Path.of("/opt/zimbra/db"), "tank/other")), Map.of(), List.of(), false);
        assertFalse(refused(latest(mounted), "/opt/zimbra/db (for " + DB + ") is in use: tank/other is mounted there").busy());
        Survey full = new Survey(plain.copies(), new MountTable(Map.of()), Map.of(Path.of("/opt/zimbra/store"), PathState.NON_EMPTY_DIRECTORY), List.of(), false);
        refused(latest(full), "/opt/zimbra/store (for " + STORE + ") is in use: it is a directory that is not empty");
        Survey file = new Survey(plain.copies(), new MountTable(Map.of()), Map.of(Path.of("/opt/zimbra/store"), PathState.NOT_A_DIRECTORY), List.of(), false);
        refused(latest(file), "not a directory");
        Survey empty = new Survey(plain.copies(), new MountTable(Map.of()), Map.of(Path.of("/opt/zimbra/store"), PathState.EMPTY_DIRECTORY), List.of(), false);
        assertInstanceOf(PromotionPlan.Ready.class, latest(empty));
    }

    @Test
    void aMountpointRecordedFromTheMailboxHostIsTrustedOnlyBelowOptZimbra() {
        // The mailbox host may be the attacker: a recorded /root/.ssh must never become a mount.
        for (String evil : List.of("/root/.ssh", "/var/spool/cron/crontabs", "/opt/zimbra/../../etc", "/opt/zimbrax")) {
            CopyState store = new CopyState(STORE, COPY_STORE, true, copy(STORE, COPY_STORE, T1).snapshots(), true, false,
                    Optional.empty(), Optional.empty(), Optional.of(Path.of(evil)), Optional.empty());
            refused(latest(survey(copy(DB, COPY_DB, T1), store)), "recorded from the mailbox host for " + STORE, "outside /opt/zimbra",
                    "sources.mbox1.mountpoints." + STORE);
        }
        // The admin may name any path: configured mountpoints are the DR host's own decision.
        CopyState store = new CopyState(STORE, COPY_STORE, true, copy(STORE, COPY_STORE, T1).snapshots(), true, false,
                Optional.empty(), Optional.empty(), Optional.of(Path.of("/root/.ssh")), Optional.empty());
        PromotionPlan.Ready r = assertInstanceOf(PromotionPlan.Ready.class, plan(source(Map.of(DB, Path.of("/opt/zimbra/db"),
                STORE, Path.of("/srv/zimbra/store"))), survey(copy(DB, COPY_DB, T1), store), PromoteRequest.latest("mbox1")));
        assertEquals(Path.of("/srv/zimbra/store"), r.mountpoints().get(COPY_STORE));
    }

    @Test
    void theSuggestedConfigIsAValidMailboxHostConfigForTheLiveDatasets() {
        PromotionPlan.Ready r = assertInstanceOf(PromotionPlan.Ready.class,
                latest(survey(copy(DB, COPY_DB, T1, T2), copy(STORE, COPY_STORE, T1))));
        String yaml = r.steps().stream().filter(s -> s instanceof Step.WriteConfig).map(s -> ((Step.WriteConfig) s).yaml()).findFirst().orElseThrow();
        Config c = ConfigLoader.parse(yaml, Path.of("suggested.yaml"));
        assertTrue(c.mailboxHost());
        assertEquals(List.copyOf(r.live().values()), c.datasets());
        assertEquals(10, c.policies().get("hourly").keep());
        assertEquals("dr1", c.host());
        assertTrue(c.sources().isEmpty());
    }

    @Test
    void theMarkRoundTrips() {
        PromotedMark m = new PromotedMark(Instant.parse("2026-11-30T12:00:00Z"), T1, "dr1");
        assertEquals(m, PromotedMark.parse(m.value()));
        assertEquals("to set by-hand", PromotedMark.parse("by-hand").describe());
    }
}
