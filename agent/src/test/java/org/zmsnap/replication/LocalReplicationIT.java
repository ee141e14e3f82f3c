package org.zmsnap.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zmsnap.retention.Retention;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.retention.Pruner;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SnapshotCycle;

/** Replication into a second real zfs-fuse pool on this host ({@code host: local}). */
class LocalReplicationIT {
    SnapshotHost host;
    ZfsPool dr;
    Instant clock = Instant.parse("2026-11-22T10:00:00Z");

    @BeforeEach
    void start() {
        host = new SnapshotHost();
        dr = ZfsPool.createEmpty("zdr", "2G");
    }

    @AfterEach
    void stop() {
        try {
            dr.close();
        } finally {
            host.close();
        }
    }

    Config config(String targetExtra) {
        return ConfigLoader.parse(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 2 }\n"
                + "targets:\n  dr1:\n    type: zfs\n    host: local\n    root: " + dr.name() + "/mbox1\n"
                + "    keep: { hourly: 10 }\n    stall-timeout: 10s\n" + targetExtra, host.dir.resolve("zmsnap.yaml"));
    }

    void writeMail(int kib) throws Exception {
        Path store = host.pool.mountpoint(host.pool.dataset("store"));
        byte[] data = new byte[kib * 1024];
        new Random(kib).nextBytes(data);
        Files.write(store.resolve("blob-" + System.nanoTime()), data);
    }

    void takeSet(Config cfg, AgentContext ctx) {
        clock = clock.plusSeconds(3600);
        CycleOutcome o = new SnapshotCycle(cfg, ctx.zfs(), ctx.quiescer(), Clock.fixed(clock, ZoneOffset.UTC)).run("hourly");
        assertInstanceOf(CycleOutcome.Taken.class, o, o.toString());
    }

    ReplicationOutcome replicate(Config cfg, AgentContext ctx, boolean force) {
        ZfsTarget t = (ZfsTarget) cfg.targets().get("dr1");
        try (TargetEndpoint ep = TargetEndpoint.open(t)) {
            return new Replicator(SourceEndpoint.thisHost(ctx.zfs(), "zfs"), ctx.catalog(), cfg.datasets()).replicate(t, ep, force);
        }
    }

    List<String> drSnapshots(String leaf) {
        return dr.snapshots().stream().filter(s -> s.startsWith(dr.name() + "/mbox1/zimbra/" + leaf + "@")).toList();
    }

    @Test
    void fullThenIncrementalReceivedUnmountedReadOnlyWithHoldsMoved() throws Exception {
        Config cfg = config("");
        try (AgentContext ctx = new AgentContext(cfg)) {
            writeMail(256);
            takeSet(cfg, ctx);
            takeSet(cfg, ctx);
            ReplicationOutcome.Replicated r1 = assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx, false));
            assertTrue(r1.steps().stream().anyMatch(s -> s.contains("full")), r1.steps().toString());
            assertEquals(2, drSnapshots("store").size());
            String drStore = dr.name() + "/mbox1/zimbra/store";
            assertEquals("on", dr.zfs("get", "-H", "-o", "value", "readonly", drStore).stdout().strip());
            assertEquals("no", dr.zfs("get", "-H", "-o", "value", "mounted", drStore).stdout().strip());

            writeMail(512);
            takeSet(cfg, ctx);
            ReplicationOutcome.Replicated r2 = assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx, false));
            assertTrue(r2.steps().stream().noneMatch(s -> s.contains("full")), "incremental: " + r2.steps());
            assertTrue(r2.bytes() < 4L << 20, "only the increment was sent: " + r2.bytes());
            assertEquals(3, drSnapshots("store").size());
            assertEquals(r2.newestCommon().orElseThrow(), ctx.catalog().sets().get(0).tag().name());

            // the hold moved: only the newest common snapshot is held on the source
            var held = ctx.catalog().sets().stream().filter(s -> s.held()).map(s -> s.tag().name()).toList();
            assertEquals(List.of(r2.newestCommon().get()), held);

            ReplicationOutcome.Replicated r3 = assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx, false));
            assertEquals(0, r3.bytes(), "a no-change run sends nothing");
        }
    }

    @Test
    void divergedTargetIsRefusedUntouchedThenForceRollbackHealsIt() throws Exception {
        Config cfg = config("");
        try (AgentContext ctx = new AgentContext(cfg)) {
            takeSet(cfg, ctx);
            assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx, false));
            String drDb = dr.name() + "/mbox1/zimbra/db";
            dr.zfs("snapshot", drDb + "@someone-was-here");
            takeSet(cfg, ctx);
            List<String> before = dr.snapshots();
            ReplicationOutcome.Refused r = assertInstanceOf(ReplicationOutcome.Refused.class, replicate(cfg, ctx, false));
            assertTrue(r.reason().contains("diverged") && r.reason().contains("someone-was-here"), r.reason());
            assertEquals(before, dr.snapshots(), "nothing changed on the target");

            assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx, true));
            assertFalse(dr.snapshots().contains(drDb + "@someone-was-here"));
            assertEquals(2, drSnapshots("db").size());
        }
    }

    @Test
    void drOfflineWhileSourceRetentionRunsCatchesUpIncrementally() throws Exception {
        Config cfg = config("");
        try (AgentContext ctx = new AgentContext(cfg)) {
            takeSet(cfg, ctx);
            assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx, false));
            String common = ctx.catalog().sets().get(0).tag().name();
            Pruner pruner = new Pruner(ctx.zfs(), ctx.catalog(), Retention.counts(cfg.policies()));
            for (int i = 0; i < 5; i++) { // the DR site is down for five cycles; source keeps 2
                writeMail(64);
                takeSet(cfg, ctx);
                pruner.prune(false, Map.of());
            }
            assertTrue(ctx.catalog().sets().stream().anyMatch(s -> s.tag().name().equals(common)),
                    "the held common snapshot survived retention");
            ReplicationOutcome.Replicated r = assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx, false));
            assertTrue(r.steps().stream().noneMatch(s -> s.contains("full")), "no full resend: " + r.steps());
            // after catch-up the old common is released and retention may take it
            pruner.prune(false, Map.of());
            var left = ctx.catalog().sets().stream().map(x -> x.tag().name()).toList();
            assertEquals(2, left.size(), "source retention back to keep once the hold moved: " + left);
            assertFalse(left.contains(common), "the old common snapshot was released and pruned");
        }
    }

    @Test
    void aTargetSeededByPlainSendReceiveIsContinuedIncrementally() throws Exception {
        Config cfg = config("");
        try (AgentContext ctx = new AgentContext(cfg)) {
            takeSet(cfg, ctx);
            String tag = ctx.catalog().sets().get(0).tag().name();
            dr.zfs("create", "-p", "-o", "canmount=off", dr.name() + "/mbox1/zimbra");
            for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
                // what an admin does by hand: zfs send | zfs receive, with the snapshot renamed on the way
                Process send = new ProcessBuilder("zfs", "send", host.pool.dataset(leaf) + "@" + tag).start();
                Process recv = new ProcessBuilder("zfs", "receive", "-u", dr.name() + "/mbox1/zimbra/" + leaf + "@seed").start();
                send.getInputStream().transferTo(recv.getOutputStream());
                recv.getOutputStream().close();
                assertEquals(0, send.waitFor());
                assertEquals(0, recv.waitFor());
            }
            writeMail(128);
            takeSet(cfg, ctx);
            ReplicationOutcome.Replicated r = assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx, false));
            assertTrue(r.steps().stream().noneMatch(s -> s.contains("full")), r.steps().toString());
            assertEquals(2, drSnapshots("store").size());
        }
    }

    @Test
    void bandwidthCapIsHonoured() throws Exception {
        Config uncapped = config("");
        Config cfg = config("    bandwidth: 2MiB/s\n");
        try (AgentContext ctx = new AgentContext(cfg)) {
            takeSet(cfg, ctx);
            assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(uncapped, ctx, false)); // the full seed, at full speed
            writeMail(6 * 1024);
            takeSet(cfg, ctx);
            ReplicationOutcome.Replicated r = assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx, false));
            double rate = r.bytes() * 1e9 / r.nanos();
            assertTrue(r.bytes() > 6L << 20, "sent " + r.bytes());
            assertTrue(rate <= 2.0 * (1 << 20) * 1.05, "rate " + rate / (1 << 20) + " MiB/s over a 2 MiB/s cap");
        }
    }

    /** A zfs wrapper in the test's directory: {@code body} runs first (bash, "$@" the zfs arguments), then the real zfs. */
    Path zfsWrapper(String name, String body) throws Exception {
        Path w = host.dir.resolve(name);
        Files.writeString(w, "#!/bin/bash\n" + body + "exec zfs \"$@\"\n");
        Files.setPosixFilePermissions(w, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return w;
    }

    @Test
    void aHoldFailingOnTheSourceEndsAsFailedWithWhatWasAlreadySent() throws Exception {
        Path wrapper = host.dir.resolve("zfs-fails-hold");
        Config cfg = ConfigLoader.parse(host.yaml("ftwrl", "2s", "crash-consistent", wrapper.toString(), "")
                + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 2 }\n"
                + "targets:\n  dr1:\n    type: zfs\n    host: local\n    root: " + dr.name() + "/mbox1\n"
                + "    keep: { hourly: 10 }\n    stall-timeout: 10s\n    parallel-streams: 1\n", host.dir.resolve("zmsnap.yaml"));
        String last = cfg.datasets().get(cfg.datasets().size() - 1).value();
        // zfs hold TAG SNAPSHOT fails for the last dataset while fail-hold exists: the others are sent first (one stream)
        zfsWrapper("zfs-fails-hold", "if [ \"$1\" = hold ] && [ -e '" + host.dir + "/fail-hold' ] && [[ \"$3\" == '" + last
                + "@'* ]]; then echo 'hold refused on purpose' >&2; exit 1; fi\n");
        try (AgentContext ctx = new AgentContext(cfg)) {
            writeMail(256);
            takeSet(cfg, ctx);
            Files.writeString(host.dir.resolve("fail-hold"), "");
            ReplicationOutcome.Failed f = assertInstanceOf(ReplicationOutcome.Failed.class, replicate(cfg, ctx, false));
            assertTrue(f.reason().contains("hold refused on purpose"), f.reason());
            List<String> others = cfg.datasets().subList(0, cfg.datasets().size() - 1).stream().map(d -> d.value()).toList();
            assertEquals(others, f.datasetsDone(), "the datasets sent before the hold failed are done");
            assertTrue(f.bytes() > 256 * 1024, "the bytes of their seeds are counted: " + f.bytes());

            Files.delete(host.dir.resolve("fail-hold"));
            ReplicationOutcome.Replicated r = assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx, false));
            assertEquals(List.of(last + ": full " + ctx.catalog().sets().get(0).tag().name()), r.steps(),
                    "the next run sends only what the failed one did not");
            var held = ctx.catalog().sets().stream().filter(s -> s.held()).map(s -> s.tag().name()).toList();
            assertEquals(List.of(r.newestCommon().orElseThrow()), held);
        }
    }

    @Test
    void aReceiveThatFailsAfterReadingItsStreamCountsTheBytesThatCrossed() throws Exception {
        // Every receive on the DR side reads its whole stream and then refuses it, as a full pool's receive does.
        Path wrapper = zfsWrapper("zfs-receive-refuses", "if [ \"$1\" = receive ]; then cat > /dev/null;"
                + " echo 'cannot receive new filesystem stream: out of space (on purpose)' >&2; exit 1; fi\n");
        Config cfg = config("    zfs-command: " + wrapper + "\n");
        try (AgentContext ctx = new AgentContext(cfg)) {
            writeMail(512);
            takeSet(cfg, ctx);
            ReplicationOutcome.Failed f = assertInstanceOf(ReplicationOutcome.Failed.class, replicate(cfg, ctx, false));
            assertTrue(f.reason().contains("out of space (on purpose)"), f.reason());
            assertEquals(List.of(), f.datasetsDone());
            assertTrue(f.bytes() > 512 * 1024, "the refused streams crossed the wire and are counted: " + f.bytes());
            assertEquals(List.of(), dr.snapshots(), "nothing was received");
        }
    }

    @Test
    void aReceiveThatCannotStartEndsAsFailedWithWhatWasAlreadySent() throws Exception {
        // The DR side's zfs becomes unstartable right after the first seed (its last call there records the source's
        // mountpoint): every later 'zfs receive' fails to start, which no zfs call wraps into a ZfsException.
        Path wrapper = zfsWrapper("zfs-goes-away", "if [ \"$1\" = set ] && [[ \"$2\" == " + Replicator.SOURCE_MOUNTPOINT
                + "=* ]]; then chmod a-x \"$0\"; fi\n");
        Config cfg = config("    zfs-command: " + wrapper + "\n    parallel-streams: 1\n");
        try (AgentContext ctx = new AgentContext(cfg)) {
            writeMail(256);
            takeSet(cfg, ctx);
            ReplicationOutcome.Failed f = assertInstanceOf(ReplicationOutcome.Failed.class, replicate(cfg, ctx, false));
            assertTrue(f.reason().contains("cannot run '" + wrapper + "'"), f.reason());
            assertTrue(f.reason().startsWith((cfg.datasets().size() - 1) + " datasets failed ("), f.reason());
            for (var d : cfg.datasets().subList(1, cfg.datasets().size())) {
                String copy = dr.name() + "/mbox1/" + d.value().substring(d.value().indexOf('/') + 1);
                assertTrue(f.reason().contains(copy + ": cannot run '" + wrapper + "'"),
                        "every dataset whose receive could not start is named, not only the first: " + copy + " in " + f.reason());
            }
            assertEquals(List.of(cfg.datasets().get(0).value()), f.datasetsDone());
            assertTrue(f.bytes() > 0, "the first seed's bytes are counted: " + f.bytes());

            Files.setPosixFilePermissions(wrapper, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(wrapper, "#!/bin/bash\nexec zfs \"$@\"\n");
            ReplicationOutcome.Replicated r = assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx, false));
            assertEquals(cfg.datasets().size() - 1, r.steps().size(), "the next run seeds the rest: " + r.steps());
        }
    }
}
