package org.zmsnap.restore.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.zmsnap.snapshot.SnapshotProperties;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.snapshot.SnapshotTag;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;
import org.zmsnap.zfs.SnapshotName;
import org.zmsnap.zimbra.RestoreUsageException;

class SnapshotChooserTest {
    private static final DatasetName DB = DatasetName.of("tank/zimbra/db");
    private static final DatasetName STORE = DatasetName.of("tank/zimbra/store");

    /** A set over db+store; a partial one has only db but records that its cycle meant two datasets. */
    private static SnapshotSet set(String policy, String time, boolean complete) {
        SnapshotTag tag = new SnapshotTag(policy, Instant.parse(time));
        Map<String, String> props = Map.of(SnapshotProperties.DATASETS, "2");
        SnapshotInfo db = new SnapshotInfo(new SnapshotName(DB, tag.name()), 1, tag.time(), 1, 0, props);
        SnapshotInfo store = new SnapshotInfo(new SnapshotName(STORE, tag.name()), 2, tag.time(), 1, 0, props);
        return complete ? new SnapshotSet(tag, Map.of(DB, db, STORE, store), List.of())
                : new SnapshotSet(tag, Map.of(DB, db), List.of());
    }

    // newest first, as SnapshotCatalog.sets() returns them
    private static final SnapshotSet NEWEST_PARTIAL = set("hourly", "2026-11-22T16:00:00Z", false);
    private static final SnapshotSet H15 = set("hourly", "2026-11-22T15:00:00Z", true);
    private static final SnapshotSet H14 = set("hourly", "2026-11-22T14:00:00Z", true);
    private static final SnapshotSet D00 = set("daily", "2026-11-22T00:00:00Z", true);
    private static final List<SnapshotSet> SETS = List.of(NEWEST_PARTIAL, H15, H14, D00);

    @Test
    void latestSkipsAnIncompleteNewerSet() {
        assertTrue(NEWEST_PARTIAL.partial());
        assertEquals(H15, SnapshotChooser.choose(SETS, "latest"));
    }

    @Test
    void tagPicksThatExactSet() {
        assertEquals(H14, SnapshotChooser.choose(SETS, "zmsnap_hourly_2026-11-22T14:00:00Z"));
        assertEquals(D00, SnapshotChooser.choose(SETS, "zmsnap_daily_2026-11-22T00:00:00Z"));
    }

    @Test
    void timePicksTheNewestCompleteSetAtOrBeforeIt() {
        assertEquals(H14, SnapshotChooser.choose(SETS, "2026-11-22T14:00:00Z"), "exactly at a set's time");
        assertEquals(H14, SnapshotChooser.choose(SETS, "2026-11-22T14:59:59Z"));
        assertEquals(D00, SnapshotChooser.choose(SETS, "2026-11-22T13:59:59Z"));
        // After the partial 16:00 set: it must not be chosen, the 15:00 one is
        assertEquals(H15, SnapshotChooser.choose(SETS, "2026-11-22T17:00:00Z"));
        // An offset is honoured: 16:30+02:00 is 14:30Z
        assertEquals(H14, SnapshotChooser.choose(SETS, "2026-11-22T16:30:00+02:00"));
    }

    @Test
    void timeBeforeTheOldestSetIsAUsageErrorNamingTheOldest() {
        RestoreUsageException e = assertThrows(RestoreUsageException.class,
                () -> SnapshotChooser.choose(SETS, "2026-11-21T23:59:59Z"));
        assertTrue(e.getMessage().contains("zmsnap_daily_2026-11-22T00:00:00Z"), e.getMessage());
    }

    @Test
    void unknownTagIsAUsageErrorListingSets() {
        RestoreUsageException e = assertThrows(RestoreUsageException.class,
                () -> SnapshotChooser.choose(SETS, "zmsnap_hourly_2020-01-01T00:00:00Z"));
        assertTrue(e.getMessage().contains("unknown snapshot"), e.getMessage());
        assertTrue(e.getMessage().contains("zmsnap_hourly_2026-11-22T15:00:00Z"), e.getMessage());
        assertThrows(RestoreUsageException.class, () -> SnapshotChooser.choose(SETS, "yesterday"));
    }

    @Test
    void incompleteTagIsRefusedAndSaysWhy() {
        RestoreUsageException e = assertThrows(RestoreUsageException.class,
                () -> SnapshotChooser.choose(SETS, NEWEST_PARTIAL.tag().name()));
        assertTrue(e.getMessage().contains("incomplete"), e.getMessage());
    }

    @Test
    void noCompleteSetAtAllIsAUsageError() {
        assertThrows(RestoreUsageException.class, () -> SnapshotChooser.choose(List.of(NEWEST_PARTIAL), "latest"));
        assertThrows(RestoreUsageException.class, () -> SnapshotChooser.choose(List.of(), "latest"));
    }
}
