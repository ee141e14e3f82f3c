package org.zmsnap.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.zmsnap.AgentContext;
import org.zmsnap.ZfsReach;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.fixtures.GuestPool;
import org.zmsnap.fixtures.OpenZfsVm;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.TestPool;
import org.zmsnap.fixtures.TestZfs;
import org.zmsnap.fixtures.ZfsUnderTest;
import org.zmsnap.fixtures.ZimbraZfsHost;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SnapshotCycle;

/**
 * Replication between every pair of ZFS flavours (-Dzfs): zfs-fuse on this machine, OpenZFS 2.x in the KVM
 * guest. A DR pool in the guest is a remote target (SSH to the guest's root, strict host key); a zfs-fuse DR
 * pool is {@code host: local}. When the source is in the guest, the agent drives it over its own SSH runner:
 * listing, holds and {@code zfs send} all run there. Then what only OpenZFS has: compressed send, resume of an
 * interrupted stream from its token, and a stale token aborted.
 */
class ReplicationZfsIT {
    private static final int MIB = 1 << 20;

    ZimbraZfsHost host;
    TestPool dr;
    ZfsReach reach;
    Instant clock = Instant.parse("2026-11-22T10:00:00Z");

    static Stream<Arguments> pairs() {
        return Stream.of(
                Arguments.of(TestZfs.FUSE, TestZfs.FUSE),
                Arguments.of(TestZfs.FUSE, TestZfs.OPENZFS),
                Arguments.of(TestZfs.OPENZFS, TestZfs.OPENZFS),
                Arguments.of(TestZfs.OPENZFS, TestZfs.FUSE));
    }

    void start(TestZfs source, TestZfs target) {
        ZfsUnderTest.require(source);
        ZfsUnderTest.require(target);
        host = source.snapshotHost();
        dr = target.createEmpty("zdr", "2G");
        reach = ZfsReach.of(host.zfsPool());
    }

    @AfterEach
    void stop() {
        try {
            if (reach != null) {
                reach.close();
            }
            if (dr != null) {
                dr.close();
            }
        } finally {
            if (host != null) {
                host.close();
            }
        }
    }

    Config config(String targetExtra) {
        StringBuilder t = new StringBuilder("targets:\n  dr1:\n    type: zfs\n");
        if (dr.login().isPresent()) {
            OpenZfsVm.Login l = dr.login().get();
            t.append("    host: ").append(l.host()).append("\n    port: ").append(l.port()).append("\n    user: ").append(l.user())
                    .append("\n    identity: ").append(l.identity()).append("\n    known-hosts: ").append(l.knownHosts()).append('\n');
        } else {
            t.append("    host: local\n");
        }
        t.append("    root: ").append(dr.name()).append("/mbox1\n    keep: { hourly: 10 }\n    stall-timeout: 20s\n    command-timeout: 60s\n");
        return ConfigLoader.parse(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 10 }\n" + t + targetExtra, host.workDir().resolve("zmsnap.yaml"));
    }

    AgentContext context(Config cfg) {
        return new AgentContext(cfg, reach.runner());
    }

    String takeSet(Config cfg, AgentContext ctx) {
        clock = clock.plusSeconds(3600);
        CycleOutcome o = new SnapshotCycle(cfg, ctx.zfs(), ctx.quiescer(), Clock.fixed(clock, ZoneOffset.UTC)).run("hourly");
        return assertInstanceOf(CycleOutcome.Taken.class, o, o.toString()).report().tag().name();
    }

    ReplicationOutcome replicate(Config cfg, AgentContext ctx) {
        return replicate(cfg, ctx, TransferProgress.NONE);
    }

    ReplicationOutcome replicate(Config cfg, AgentContext ctx, TransferProgress progress) {
        ZfsTarget t = (ZfsTarget) cfg.targets().get("dr1");
        try (TargetEndpoint ep = TargetEndpoint.open(t)) {
            return new Replicator(SourceEndpoint.on(ctx.zfs(), reach.streaming(), "zfs", "this host"), ctx.catalog(), cfg.datasets()).withProgress(progress)
                    .replicate(t, ep, false);
        }
    }

    /** What a person watching would be told: each stream's expected and final size, by receiving dataset. */
    static final class Recorded implements TransferProgress {
        final java.util.Map<String, java.util.OptionalLong> expected = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.Map<String, Long> sent = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public boolean wantsEstimate() {
            return true;
        }

        @Override
        public void started(org.zmsnap.zfs.DatasetName dataset, String step, java.util.OptionalLong expectedBytes) {
            expected.put(dataset.value(), expectedBytes);
        }

        @Override
        public void moved(org.zmsnap.zfs.DatasetName dataset, long bytes) { }

        @Override
        public void finished(org.zmsnap.zfs.DatasetName dataset, long bytes, boolean ok) {
            sent.put(dataset.value(), bytes);
        }
    }

    String drDataset(String leaf) {
        return dr.name() + "/mbox1/zimbra/" + leaf;
    }

    List<String> drSnapshots(String leaf) {
        return dr.snapshots().stream().filter(s -> s.startsWith(drDataset(leaf) + "@")).toList();
    }

    String guid(TestPool pool, String snapshot) {
        return pool.zfs("get", "-Hp", "-o", "value", "guid", snapshot).stdout().strip();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pairs")
    void fullThenIncrementalReceivedUnmountedReadOnlyWithHoldsMoved(TestZfs source, TestZfs target) throws Exception {
        start(source, target);
        Config cfg = config("");
        try (AgentContext ctx = context(cfg)) {
            host.zfsPool().writeRandom(host.zfsPool().dataset("store"), "blob-1", 256);
            takeSet(cfg, ctx);
            String second = takeSet(cfg, ctx);
            ReplicationOutcome r1o = replicate(cfg, ctx);
            if (source == TestZfs.OPENZFS && target == TestZfs.FUSE) {
                // OpenZFS datasets use ZPL version 5 (system attributes); every stream of one carries the SA_SPILL
                // feature flag, which zfs-fuse (pool v23, ZPL 4) cannot receive. Unsupported: refused by zfs-fuse
                // with a clear message, and the DR pool is left as it was.
                ReplicationOutcome.Failed f = assertInstanceOf(ReplicationOutcome.Failed.class, r1o, r1o.toString());
                assertTrue(f.reason().contains("unsupported feature"), f.reason());
                assertTrue(dr.snapshots().isEmpty(), "nothing received: " + dr.snapshots());
                return;
            }
            ReplicationOutcome.Replicated r1 = assertInstanceOf(ReplicationOutcome.Replicated.class, r1o, r1o.toString());
            assertTrue(r1.steps().stream().anyMatch(s -> s.contains("full")), r1.steps().toString());
            assertEquals(2, drSnapshots("store").size());
            assertEquals("on", dr.zfs("get", "-H", "-o", "value", "readonly", drDataset("store")).stdout().strip());
            assertEquals("no", dr.zfs("get", "-H", "-o", "value", "mounted", drDataset("store")).stdout().strip());
            String srcStore = host.zfsPool().dataset("store");
            assertEquals(guid(host.zfsPool(), srcStore + "@" + second), guid(dr, drDataset("store") + "@" + second),
                    "the DR snapshot is the source's (same GUID)");

            host.zfsPool().writeRandom(srcStore, "blob-2", 512);
            String third = takeSet(cfg, ctx);
            ReplicationOutcome r2o = replicate(cfg, ctx);
            ReplicationOutcome.Replicated r2 = assertInstanceOf(ReplicationOutcome.Replicated.class, r2o, r2o.toString());
            assertTrue(r2.steps().stream().noneMatch(s -> s.contains("full")), "incremental: " + r2.steps());
            assertTrue(r2.bytes() < 4L * MIB, "only the increment was sent: " + r2.bytes());
            assertEquals(3, drSnapshots("store").size());
            assertEquals(third, r2.newestCommon().orElseThrow());

            // The hold moved: only the newest common snapshot is held on the source, by this target's tag.
            var held = ctx.catalog().sets().stream().filter(s -> s.held()).map(s -> s.tag().name()).toList();
            assertEquals(List.of(third), held);
            assertEquals("1", host.zfsPool().zfs("get", "-H", "-o", "value", "userrefs", srcStore + "@" + third).stdout().strip());
            assertEquals("0", host.zfsPool().zfs("get", "-H", "-o", "value", "userrefs", srcStore + "@" + second).stdout().strip(),
                    "released on the previous common snapshot");
            if (source == TestZfs.OPENZFS) { // zfs-fuse has no 'zfs holds -H'
                String holds = host.zfsPool().zfs("holds", "-H", srcStore + "@" + third).stdout();
                assertTrue(holds.contains("zmsnap:dr1"), holds);
            }

            ReplicationOutcome.Replicated r3 = assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx));
            assertEquals(0, r3.bytes(), "a no-change run sends nothing");
        }
    }

    @Test
    void openZfsToOpenZfsSendsCompressedBlocks() throws Exception {
        start(TestZfs.OPENZFS, TestZfs.OPENZFS);
        String store = host.zfsPool().dataset("store");
        host.zfsPool().zfs("set", "compression=lz4", store);
        Config cfg = config("");
        try (AgentContext ctx = context(cfg)) {
            host.zfsPool().writeCompressible(store, "notices", 32 * 1024);
            takeSet(cfg, ctx);
            Recorded progress = new Recorded();
            ReplicationOutcome.Replicated r = assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx, progress));
            // The estimate a terminal's progress line shows (zfs send -nP -c) is the stream that then went.
            long estimate = progress.expected.get(drDataset("store")).orElseThrow();
            long went = progress.sent.get(drDataset("store"));
            assertTrue(Math.abs(estimate - went) <= went / 10 + 65536, "zfs send -nP said " + estimate + ", " + went + " went");
            long logical = Long.parseLong(dr.zfs("get", "-Hp", "-o", "value", "logicalreferenced", drDataset("store")).stdout().strip());
            assertTrue(logical > 32L * MIB, "all 32 MiB arrived: " + logical);
            // Without -c the stream carries the 32 MiB uncompressed; with -c the lz4 blocks as stored.
            assertTrue(r.bytes() < 8L * MIB, "sent compressed (zfs send -c): " + r.bytes() + " bytes for " + logical);
            // A plain send does not carry the compression property (the DR dataset has compression=off), so only
            // blocks that arrived compressed can keep the DR copy this small.
            long onDisk = Long.parseLong(dr.zfs("get", "-Hp", "-o", "value", "referenced", drDataset("store")).stdout().strip());
            assertTrue(onDisk < 8L * MIB, "stored compressed on the DR side: " + onDisk + " bytes");
        }
    }

    /**
     * Waits until the DR side's zfs receive into {@code dst} has read {@code bytes} of its stream (its rchar in
     * /proc), then kills its SSH connection: every stream still in flight on it fails (the datasets go in parallel
     * streams over one connection), and the run's reason names each.
     */
    void killReceiveConnectionAfter(String dst, long bytes) throws Exception {
        OpenZfsVm vm = ((GuestPool) dr).vm();
        String find = "pgrep -f '^zfs receive .* " + dst + "$' | head -1";
        String progress = "pid=$(" + find + "); [ -n \"$pid\" ] && awk '/^rchar/ { print $2 }' /proc/$pid/io";
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        long read = 0;
        while (read < bytes) {
            assertTrue(System.nanoTime() < deadline, "the zfs receive into " + dst + " did not read " + bytes + " bytes: " + read);
            String out = vm.bash(Duration.ofSeconds(30), progress).stdout().strip();
            read = out.isEmpty() ? 0 : Long.parseLong(out);
            Thread.sleep(100);
        }
        // The receive's parent is the sshd session process of zmsnap's connection: SIGKILL drops the connection
        // as a network failure would (no clean channel close).
        Proc.Result killed = vm.bash(Duration.ofSeconds(30), "pid=$(" + find + "); [ -n \"$pid\" ] || exit 3; "
                + "pp=$(ps -o ppid= -p \"$pid\" | tr -d ' '); ps -o args= -p \"$pp\"; kill -9 \"$pp\"");
        System.err.println("ReplicationZfsIT: killed after the receive read " + read + " bytes: " + killed.stdout().strip());
        assertEquals(0, killed.exitCode(), "the receive ended before it could be interrupted: " + killed.stderr());
        assertTrue(killed.stdout().contains("sshd"), "killed the receive's sshd: " + killed.stdout());
    }

    String resumeToken(String dst) {
        return dr.zfs("get", "-H", "-o", "value", "receive_resume_token", dst).stdout().strip();
    }

    /**
     * A 48 MiB increment, capped at 4 MiB/s, whose SSH connection is killed once the receive has read 24 MiB:
     * the cap leaves seconds between the kill and the end of the stream, so the kill always lands mid-stream.
     */
    String interruptedIncrement(Config capped, AgentContext ctx) throws Exception {
        String store = host.zfsPool().dataset("store");
        host.zfsPool().writeRandom(store, "big", 48 * 1024);
        String tag = takeSet(capped, ctx);
        CompletableFuture<ReplicationOutcome> run = CompletableFuture.supplyAsync(() -> replicate(capped, ctx));
        killReceiveConnectionAfter(drDataset("store"), 24L * MIB);
        long killed = System.nanoTime();
        ReplicationOutcome failed = run.get(120, TimeUnit.SECONDS);
        long secs = (System.nanoTime() - killed) / 1_000_000_000L;
        // The sender is killed when the copy fails; waiting for it to exit on its own took command-timeout (60 s).
        assertTrue(secs < 40, "the run gave up " + secs + " s after the connection dropped");
        ReplicationOutcome.Failed f = assertInstanceOf(ReplicationOutcome.Failed.class, failed, failed.toString());
        System.err.println("ReplicationZfsIT: interrupted run: " + f + "\nDR snapshots: " + dr.snapshots());
        assertTrue(f.reason().contains(drDataset("store")), f.reason());
        return tag;
    }

    @Test
    void anIncrementInterruptedByAKilledSshConnectionResumesFromItsToken() throws Exception {
        start(TestZfs.OPENZFS, TestZfs.OPENZFS);
        Config cfg = config("");
        Config capped = config("    bandwidth: 4MiB/s\n");
        try (AgentContext ctx = context(cfg)) {
            takeSet(cfg, ctx);
            assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx));
            String tag = interruptedIncrement(capped, ctx);
            String token = resumeToken(drDataset("store"));
            assertNotEquals("-", token, "the interrupted receive (-s) left a resume token");

            ReplicationOutcome o = replicate(cfg, ctx);
            ReplicationOutcome.Replicated r = assertInstanceOf(ReplicationOutcome.Replicated.class, o, o.toString());
            // 24 of the 48 MiB arrived before the kill: the second run sends only the rest.
            assertTrue(r.bytes() < 36L * MIB, "resumed, not restarted: sent " + r.bytes() + " bytes of a 48 MiB increment");
            assertTrue(r.bytes() > 8L * MIB, "the rest of the increment was sent: " + r.bytes());
            assertEquals("-", resumeToken(drDataset("store")), "no partial state left");
            String src = host.zfsPool().dataset("store") + "@" + tag;
            assertEquals(guid(host.zfsPool(), src), guid(dr, drDataset("store") + "@" + tag), "the complete snapshot arrived");
            assertEquals(tag, r.newestCommon().orElseThrow());
        }
    }

    @Test
    void aStaleResumeTokenWhoseSnapshotIsGoneIsAbortedAndReplicationContinues() throws Exception {
        start(TestZfs.OPENZFS, TestZfs.OPENZFS);
        Config cfg = config("");
        Config capped = config("    bandwidth: 4MiB/s\n");
        try (AgentContext ctx = context(cfg)) {
            takeSet(cfg, ctx);
            assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx));
            String tag = interruptedIncrement(capped, ctx);
            assertNotEquals("-", resumeToken(drDataset("store")));
            // The snapshot the token points to goes away on the source (an operator destroyed it).
            String gone = host.zfsPool().dataset("store") + "@" + tag;
            host.zfsPool().zfsResult("release", "zmsnap:dr1", gone);
            host.zfsPool().zfs("destroy", gone);
            host.zfsPool().writeRandom(host.zfsPool().dataset("store"), "after", 512);
            String next = takeSet(cfg, ctx);

            ReplicationOutcome o = replicate(cfg, ctx);
            ReplicationOutcome.Replicated r = assertInstanceOf(ReplicationOutcome.Replicated.class, o, o.toString());
            assertEquals("-", resumeToken(drDataset("store")), "the stale token was aborted (zfs receive -A)");
            assertEquals(guid(host.zfsPool(), host.zfsPool().dataset("store") + "@" + next),
                    guid(dr, drDataset("store") + "@" + next));
            assertEquals(next, r.newestCommon().orElseThrow());
        }
    }

    @Test
    void anIncrementFromZfsFuseInterruptedOnOpenZfsIsSentAgain() throws Exception {
        // zfs-fuse cannot 'send -t': the DR side must not keep partial state it can never complete.
        start(TestZfs.FUSE, TestZfs.OPENZFS);
        Config cfg = config("");
        Config capped = config("    bandwidth: 4MiB/s\n");
        try (AgentContext ctx = context(cfg)) {
            takeSet(cfg, ctx);
            assertInstanceOf(ReplicationOutcome.Replicated.class, replicate(cfg, ctx));
            String tag = interruptedIncrement(capped, ctx);
            ReplicationOutcome o = replicate(cfg, ctx);
            ReplicationOutcome.Replicated r = assertInstanceOf(ReplicationOutcome.Replicated.class, o, o.toString());
            assertTrue(r.bytes() > 48L * MIB, "the whole increment was sent again: " + r.bytes());
            assertEquals("-", resumeToken(drDataset("store")));
            assertEquals(tag, r.newestCommon().orElseThrow());
        }
    }

    @Test
    void anInterruptedFullSeedResumesAndEndsReadOnly() throws Exception {
        // The first, full transfer is the longest and the most worth resuming.
        start(TestZfs.OPENZFS, TestZfs.OPENZFS);
        Config cfg = config("");
        Config capped = config("    bandwidth: 4MiB/s\n");
        try (AgentContext ctx = context(cfg)) {
            host.zfsPool().writeRandom(host.zfsPool().dataset("store"), "big", 48 * 1024);
            String tag = takeSet(cfg, ctx);
            CompletableFuture<ReplicationOutcome> run = CompletableFuture.supplyAsync(() -> replicate(capped, ctx));
            killReceiveConnectionAfter(drDataset("store"), 24L * MIB);
            assertInstanceOf(ReplicationOutcome.Failed.class, run.get(120, TimeUnit.SECONDS));

            ReplicationOutcome o = replicate(cfg, ctx);
            ReplicationOutcome.Replicated r = assertInstanceOf(ReplicationOutcome.Replicated.class, o, o.toString());
            long storeBytes = r.steps().stream().anyMatch(st -> st.contains("store") && st.contains("full")) ? -1 : r.bytes();
            assertTrue(storeBytes >= 0 && storeBytes < 40L * MIB,
                    "the store's seed resumed, not restarted: " + r.steps() + ", " + r.bytes() + " bytes");
            assertEquals("-", resumeToken(drDataset("store")));
            assertEquals(guid(host.zfsPool(), host.zfsPool().dataset("store") + "@" + tag), guid(dr, drDataset("store") + "@" + tag));
            assertEquals("on", dr.zfs("get", "-H", "-o", "value", "readonly", drDataset("store")).stdout().strip(),
                    "a resumed seed is read-only like any other");
        }
    }
}
