package org.zmsnap.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zmsnap.exec.Command;
import org.zmsnap.exec.CommandResult;
import org.zmsnap.exec.CommandRunner;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;

/** What a plan runs under the lock, and what it leaves for after: the argument lists, built before the lock. */
class SnapshotPlanTest {
    private static final List<DatasetName> ZIMBRA = List.of(DatasetName.of("tank/zimbra/db"), DatasetName.of("tank/zimbra/store"));
    private static final SnapshotTag TAG = new SnapshotTag("hourly", Instant.parse("2026-11-30T10:00:00Z"));

    private final List<List<String>> ran = new ArrayList<>();
    private final CommandRunner recording = new CommandRunner() {
        @Override
        public CommandResult run(Command c) {
            ran.add(c.argv());
            return new CommandResult(c, 0, "", "", Duration.ZERO);
        }
    };
    private final Zfs zfs = new Zfs(recording, "zfs", Duration.ofSeconds(5));

    private static Map<String, String> identity() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(SnapshotProperties.POLICY, "hourly");
        m.put(SnapshotProperties.HOST, "mail1");
        m.put(SnapshotProperties.DATASETS, "2");
        return m;
    }

    @Test
    void anAtomicSetIsTakenWithoutPropertiesInOneCall() {
        SnapshotPlan recursive = new SnapshotPlan(SnapshotPlan.Kind.RECURSIVE, ZIMBRA, Optional.of(DatasetName.of("tank/zimbra")));
        assertEquals(Map.of(), recursive.atCreation(identity()), "no -o inside the window: metadata goes on after the release");
        recursive.take(zfs, recursive.calls(zfs, TAG, recursive.atCreation(identity())), Duration.ofSeconds(1));
        assertEquals(List.of(List.of("zfs", "snapshot", "-r", "tank/zimbra@zmsnap_hourly_2026-11-30T10:00:00Z")), ran);

        ran.clear();
        SnapshotPlan multi = new SnapshotPlan(SnapshotPlan.Kind.MULTI_NAME, ZIMBRA, Optional.empty());
        multi.take(zfs, multi.calls(zfs, TAG, multi.atCreation(identity())), Duration.ofSeconds(1));
        assertEquals(List.of(List.of("zfs", "snapshot", "tank/zimbra/db@zmsnap_hourly_2026-11-30T10:00:00Z",
                "tank/zimbra/store@zmsnap_hourly_2026-11-30T10:00:00Z")), ran);
    }

    @Test
    void aPerDatasetSetCarriesItsSizeFromTheFirstMomentSoAHalfTakenSetIsSeenAsPartial() {
        SnapshotPlan per = new SnapshotPlan(SnapshotPlan.Kind.PER_DATASET, ZIMBRA, Optional.empty());
        assertEquals(Map.of(SnapshotProperties.DATASETS, "2"), per.atCreation(identity()));
        per.take(zfs, per.calls(zfs, TAG, per.atCreation(identity())), Duration.ofSeconds(1));
        assertEquals(2, ran.size(), ran.toString());
        for (List<String> argv : ran) {
            assertEquals(List.of("zfs", "snapshot", "-o", "org.zmsnap:datasets=2"), argv.subList(0, 4), argv.toString());
        }
    }

    @Test
    void theTxgSyncBeforeTheLockTouchesOneDatasetPerPool() {
        SnapshotPlan recursive = new SnapshotPlan(SnapshotPlan.Kind.RECURSIVE, ZIMBRA, Optional.of(DatasetName.of("tank/zimbra")));
        assertEquals(List.of(DatasetName.of("tank/zimbra")), recursive.onePerPool());
        SnapshotPlan twoPools = new SnapshotPlan(SnapshotPlan.Kind.PER_DATASET, List.of(DatasetName.of("tank/db"),
                DatasetName.of("fast/store"), DatasetName.of("tank/index")), Optional.empty());
        assertEquals(List.of(DatasetName.of("tank/db"), DatasetName.of("fast/store")), twoPools.onePerPool());

        zfs.waitForTxgSync(twoPools.onePerPool(), Duration.ofSeconds(1));
        assertEquals(List.of(List.of("zfs", "inherit", Zfs.TXG_SYNC_PROPERTY, "tank/db", "fast/store")), ran);
        assertTrue(Zfs.TXG_SYNC_PROPERTY.startsWith(SnapshotProperties.NS), "a property in zmsnap's own namespace");
        assertTrue(!SnapshotProperties.ALL.contains(Zfs.TXG_SYNC_PROPERTY), "never set, so inheriting it changes nothing");
    }

    @Test
    void timeRunningOutBetweenPerDatasetCallsStopsBeforeTheNext() {
        SnapshotPlan per = new SnapshotPlan(SnapshotPlan.Kind.PER_DATASET, ZIMBRA, Optional.empty());
        CommandRunner slow = new CommandRunner() {
            @Override
            public CommandResult run(Command c) {
                ran.add(c.argv());
                try {
                    Thread.sleep(60);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new CommandResult(c, 0, "", "", Duration.ZERO);
            }
        };
        Zfs slowZfs = new Zfs(slow, "zfs", Duration.ofSeconds(5));
        org.junit.jupiter.api.Assertions.assertThrows(org.zmsnap.zfs.ZfsException.class,
                () -> per.take(slowZfs, per.calls(slowZfs, TAG, Map.of()), Duration.ofMillis(30)));
        assertEquals(1, ran.size(), "the second dataset's call is not started once the time is spent");
    }
}
