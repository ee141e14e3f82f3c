package org.zmsnap.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SnapshotCycle;
import org.zmsnap.snapshot.SnapshotSet;

/** Retention on a real pool: exactly keep sets remain, a held one survives, foreign snapshots are untouched. */
class PrunerIT {
    @Test
    void keepsExactlyKeepSetsHeldAndForeignSurvive() {
        try (SnapshotHost host = new SnapshotHost()) {
            Config cfg = ConfigLoader.parse(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                    + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 2 }\n", host.dir.resolve("zmsnap.yaml"));
            String store = host.pool.dataset("store");
            host.pool.zfs("snapshot", store + "@before-upgrade"); // an admin's own snapshot
            try (AgentContext ctx = new AgentContext(cfg)) {
                Instant t = Instant.parse("2026-11-22T10:00:00Z");
                for (int i = 0; i < 5; i++) {
                    SnapshotCycle cycle = new SnapshotCycle(cfg, ctx.zfs(), ctx.quiescer(),
                            Clock.fixed(t.plusSeconds(3600L * i), ZoneOffset.UTC));
                    assertInstanceOf(CycleOutcome.Taken.class, cycle.run("hourly"));
                }
                List<SnapshotSet> sets = ctx.catalog().sets();
                assertEquals(5, sets.size());
                String heldTag = sets.get(3).tag().name(); // the second oldest
                host.pool.zfs("hold", "zmsnap:dr1", host.pool.dataset("index") + "@" + heldTag);

                Pruner pruner = new Pruner(ctx.zfs(), ctx.catalog(), Retention.counts(cfg.policies()));
                Pruner.Result dry = pruner.prune(true, Map.of());
                assertEquals(2, Retention.toDestroy(dry.plan()).size());
                assertEquals(5, ctx.catalog().sets().size(), "dry run changes nothing");

                Pruner.Result r = pruner.prune(false, Map.of());
                assertTrue(r.failures().isEmpty(), r.failures().toString());
                List<String> left = ctx.catalog().sets().stream().map(s -> s.tag().name()).toList();
                assertEquals(3, left.size(), left.toString());
                assertTrue(left.contains(heldTag), "the held set survives");
                assertEquals(List.of(sets.get(0).tag().name(), sets.get(1).tag().name(), heldTag), left);
                assertTrue(host.snapshots().contains(store + "@before-upgrade"), "a snapshot zmsnap did not make stays");
                assertEquals(3 * 4 + 1, host.snapshots().size(), "whole sets destroyed: " + host.snapshots());
                host.pool.zfs("release", "zmsnap:dr1", host.pool.dataset("index") + "@" + heldTag);
            }
        }
    }
}
