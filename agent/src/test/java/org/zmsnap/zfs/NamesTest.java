package org.zmsnap.zfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NamesTest {
    @Test
    void validDatasetNames() {
        DatasetName d = DatasetName.of("tank/zimbra/store");
        assertEquals("tank", d.pool());
        assertEquals("zimbra/store", d.withoutPool());
        assertEquals("tank/zimbra", d.parent().orElseThrow().value());
        assertTrue(DatasetName.of("tank/zimbra").isAncestorOf(d));
        assertFalse(DatasetName.of("tank/zim").isAncestorOf(d));
    }

    @Test
    void namesThatCouldReachAShellAreRefused() {
        for (String bad : new String[] {"", "tank//a", "tank/a b", "-rf", "tank/$(id)", "tank/a;b", "tank/", "tank/a\nb", "tank/a@b"}) {
            assertThrows(IllegalArgumentException.class, () -> DatasetName.of(bad), bad);
        }
    }

    @Test
    void snapshotNames() {
        SnapshotName s = SnapshotName.parse("tank/zimbra/db@zmsnap_hourly_2026-11-22T14:00:00Z");
        assertEquals("tank/zimbra/db", s.dataset().value());
        assertEquals("tank/zimbra/db@zmsnap_hourly_2026-11-22T14:00:00Z", s.toString());
        assertThrows(IllegalArgumentException.class, () -> SnapshotName.parse("tank/a"));
        assertThrows(IllegalArgumentException.class, () -> SnapshotName.parse("tank/a@b c"));
    }
}
