package org.zmsnap.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zmsnap.zfs.DatasetName;

class SnapshotTagTest {
    @Test
    void nameIsPolicyAndUtcSecond() {
        SnapshotTag t = new SnapshotTag("hourly", Instant.parse("2026-11-22T14:00:00.734Z"));
        assertEquals("zmsnap_hourly_2026-11-22T14:00:00Z", t.name());
        assertEquals(Optional.of(t), SnapshotTag.parse(t.name()));
    }

    @Test
    void foreignSnapshotsAreNotZmsnaps() {
        assertTrue(SnapshotTag.parse("autosnap_2026-11-22_14:00:00_hourly").isEmpty());
        assertTrue(SnapshotTag.parse("zmsnap_hourly_yesterday").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new SnapshotTag("Hourly", Instant.EPOCH));
        assertThrows(IllegalArgumentException.class, () -> new SnapshotTag("a_b", Instant.EPOCH));
    }

    @Test
    void commonParentIsTheDeepestSharedAncestor() {
        List<DatasetName> zimbra = List.of(DatasetName.of("tank/zimbra/db"), DatasetName.of("tank/zimbra/store"),
                DatasetName.of("tank/zimbra/index"));
        assertEquals(Optional.of(DatasetName.of("tank/zimbra")), SnapshotPlan.commonParent(zimbra));
        assertEquals(Optional.of(DatasetName.of("tank")),
                SnapshotPlan.commonParent(List.of(DatasetName.of("tank/a/b"), DatasetName.of("tank/c"))));
        assertEquals(Optional.of(DatasetName.of("tank/a")),
                SnapshotPlan.commonParent(List.of(DatasetName.of("tank/a"), DatasetName.of("tank/a/b"))));
    }
}
