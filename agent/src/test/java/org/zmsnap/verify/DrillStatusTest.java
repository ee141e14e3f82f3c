package org.zmsnap.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
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
import org.zmsnap.zfs.SnapshotName;

class DrillStatusTest {
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    static final Duration MAX_AGE = Duration.ofDays(2);

    static SnapshotSet set(String time, String verified) {
        SnapshotTag tag = new SnapshotTag("hourly", Instant.parse(time));
        DatasetName ds = new DatasetName("tank/zimbra/db");
        Map<String, String> props = new HashMap<>();
        if (verified != null) {
            props.put(SnapshotProperties.VERIFIED, verified);
        }
        SnapshotInfo info = new SnapshotInfo(new SnapshotName(ds, tag.name()), 1, Instant.parse(time), 1, 0, props);
        return new SnapshotSet(tag, Map.of(ds, info), List.of());
    }

    @Test
    void theNewestDrillDecidesByItsOwnTimeNotTheSetOrder() {
        // A re-verify of an older set after the newest set's drill failed: the newest drill is the re-verify.
        DrillStatus s = DrillStatus.of("this host", List.of(
                set("2026-11-30T10:00:00Z", "2026-11-30T10:30:00Z failed incremental"),
                set("2026-11-29T10:00:00Z", "2026-11-30T11:00:00Z ok full"),
                set("2026-11-28T10:00:00Z", null)), NOW, MAX_AGE);
        assertEquals(DrillStatus.State.OK, s.state());
        assertEquals("zmsnap_hourly_2026-11-29T10:00:00Z", s.last().orElseThrow().set());
        assertEquals(Optional.of("zmsnap_hourly_2026-11-30T10:00:00Z"), s.newestSet());
        assertEquals(2, s.drilled().size());
        assertEquals(Instant.parse("2026-11-30T11:00:00Z"), s.lastFull().orElseThrow().mark().time());
    }

    @Test
    void aFailedNewestDrillIsFailedEvenWithOlderPasses() {
        DrillStatus s = DrillStatus.of("source mbox1", List.of(
                set("2026-11-30T10:00:00Z", "2026-11-30T10:30:00Z failed full"),
                set("2026-11-29T10:00:00Z", "2026-11-29T10:30:00Z ok full")), NOW, MAX_AGE);
        assertEquals(DrillStatus.State.FAILED, s.state());
        assertEquals(Instant.parse("2026-11-29T10:30:00Z"), s.lastOk().orElseThrow().mark().time());
    }

    @Test
    void aPassOlderThanTheMaximumAgeIsStale() {
        DrillStatus s = DrillStatus.of("this host", List.of(set("2026-11-30T10:00:00Z", null),
                set("2026-11-27T10:00:00Z", "2026-11-28T11:59:59Z ok incremental")), NOW, MAX_AGE);
        assertEquals(DrillStatus.State.STALE, s.state());
        assertEquals(DrillStatus.State.OK, DrillStatus.of("this host", List.of(
                set("2026-11-27T10:00:00Z", "2026-11-28T12:00:01Z ok incremental")), NOW, MAX_AGE).state());
    }

    @Test
    void noDrillIsNeverAndSaysWhy() {
        DrillStatus s = DrillStatus.of("this host", List.of(set("2026-11-30T10:00:00Z", "not a mark we wrote")), NOW, MAX_AGE);
        assertEquals(DrillStatus.State.NEVER, s.state());
        assertEquals("no set has been verified", s.detail());
        assertEquals("no sets here", DrillStatus.of("this host", List.of(), NOW, MAX_AGE).detail());
        assertEquals(DrillStatus.State.NEVER, DrillStatus.unavailable("source x", "no copies").state());
    }
}
