package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.SshHost;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SnapshotCycle;

/** type: rsync over a real sshd: complete trees per tag, unchanged files hard-linked, clones removed, retention. */
class RsyncReplicationIT {
    SnapshotHost host;
    SshHost ssh;
    Path drDir;
    Instant clock = Instant.parse("2026-11-22T10:00:00Z");

    @BeforeEach
    void start() throws Exception {
        host = new SnapshotHost();
        ssh = SshHost.start(host.dir);
        ssh.authorize(null);
        drDir = host.dir.resolve("dr-site");
    }

    @AfterEach
    void stop() {
        try {
            ssh.close();
        } finally {
            host.close();
        }
    }

    Path config() {
        return config("");
    }

    /** @param extraTarget more lines of the target, e.g. a bandwidth cap */
    Path config(String extraTarget) {
        return host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                + "work-dir: " + host.dir.resolve("work") + "\n"
                + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 10 }\n"
                + "targets:\n  offsite:\n    type: rsync\n    host: 127.0.0.1\n    port: " + ssh.port() + "\n    user: root\n"
                + "    identity: " + ssh.clientKey() + "\n    known-hosts: " + ssh.knownHosts() + "\n    path: " + drDir + "\n"
                + "    keep: { hourly: 2 }\n" + extraTarget);
    }

    String takeSet(Path cfgFile) {
        Config cfg = ConfigLoader.load(cfgFile);
        clock = clock.plusSeconds(3600);
        try (AgentContext ctx = new AgentContext(cfg)) {
            CycleOutcome.Taken t = assertInstanceOf(CycleOutcome.Taken.class,
                    new SnapshotCycle(cfg, ctx.zfs(), ctx.quiescer(), Clock.fixed(clock, ZoneOffset.UTC)).run("hourly"));
            return t.report().tag().name();
        }
    }

    @Test
    void eachTagIsACompleteTreeWithUnchangedFilesHardLinked() throws Exception {
        Path cfg = config();
        Path store = host.pool.mountpoint(host.pool.dataset("store"));
        byte[] a = new byte[300_000];
        new Random(1).nextBytes(a);
        Files.createDirectories(store.resolve("0/5/msg/17"));
        Files.write(store.resolve("0/5/msg/17/70000-1234.msg"), a);
        String t1 = takeSet(cfg);
        byte[] b = new byte[100_000];
        new Random(2).nextBytes(b);
        Files.write(store.resolve("0/5/msg/17/70001-1240.msg"), b);
        String t2 = takeSet(cfg);
        Files.write(store.resolve("0/5/msg/17/70001-1240.msg"), "changed after the snapshot".getBytes());

        CliRun.Result r = CliRun.run(host.dir, "replicate", "--config", cfg.toString());
        assertEquals(0, r.exit(), r.err());
        Path a1 = drDir.resolve(t1).resolve("store/0/5/msg/17/70000-1234.msg");
        Path a2 = drDir.resolve(t2).resolve("store/0/5/msg/17/70000-1234.msg");
        assertArrayEquals(a, Files.readAllBytes(a2));
        assertArrayEquals(b, Files.readAllBytes(drDir.resolve(t2).resolve("store/0/5/msg/17/70001-1240.msg")), "the snapshot's content, not the live file");
        assertFalse(Files.exists(drDir.resolve(t1).resolve("store/0/5/msg/17/70001-1240.msg")));
        assertEquals(Files.getAttribute(a1, "unix:ino"), Files.getAttribute(a2, "unix:ino"), "unchanged file hard-linked");
        assertTrue(Files.exists(drDir.resolve(t2).resolve("db/data/ibdata1")), "the database is in every tree");
        assertTrue(host.pool.zfs("list", "-H", "-o", "name", "-r", host.pool.name()).stdout().lines().noneMatch(l -> l.contains("zmsnap-rsync")),
                "clones removed");

        String t3 = takeSet(cfg);
        assertEquals(0, CliRun.run(host.dir, "replicate", "--config", cfg.toString()).exit());
        assertFalse(Files.exists(drDir.resolve(t1)), "retention keeps 2 tags");
        assertTrue(Files.exists(drDir.resolve(t3)) && Files.exists(drDir.resolve(t2)));
        try (var list = Files.list(drDir)) {
            assertTrue(list.noneMatch(p -> p.getFileName().toString().endsWith(".partial")));
        }
    }

    @Test
    void aRunKilledMidRsyncLeavesNothingTheNextRunCannotClear() throws Exception {
        Path store = host.pool.mountpoint(host.pool.dataset("store"));
        byte[] big = new byte[4 << 20];
        new Random(3).nextBytes(big);
        Files.createDirectories(store.resolve("0/5/msg/17"));
        Files.write(store.resolve("0/5/msg/17/70002-1300.msg"), big);
        Path capped = config("    bandwidth: 256KiB/s\n");
        String tag = takeSet(capped);

        // --- a real SIGKILL of the CLI while its rsync reads a clone (the first dataset's: the db, minutes at the cap)
        Process cli = CliRun.start(host.dir.resolve("killed-rsync.out"), "replicate", "--config", capped.toString());
        ProcessHandle rsync = null;
        for (long end = System.nanoTime() + 120_000_000_000L; rsync == null && System.nanoTime() < end; Thread.sleep(50)) {
            assertTrue(cli.isAlive(), "the replication ended before its rsync was seen: " + Files.readString(host.dir.resolve("killed-rsync.out.err")));
            rsync = cli.toHandle().descendants().filter(h -> h.info().command().orElse("").endsWith("/rsync"))
                    .findFirst().orElse(null);
        }
        assertTrue(rsync != null, "no rsync within 120 s");
        Thread.sleep(1000);
        cli.destroyForcibly(); // SIGKILL: no finally, no hook
        cli.waitFor();
        List<String> left = rsyncClones();
        assertFalse(left.isEmpty(), "the killed run left its clones");
        System.out.println("after the kill: clones " + left + ", orphaned rsync alive: " + rsync.isAlive());

        // --- the next run: the leftovers go (the orphan first, or the clone stays busy), the set arrives whole
        CliRun.Result r = CliRun.run(host.dir, "replicate", "--config", config().toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        assertEquals(List.of(), rsyncClones(), "clones removed");
        assertFalse(rsync.isAlive(), "the orphaned rsync was stopped");
        assertArrayEquals(big, Files.readAllBytes(drDir.resolve(tag).resolve("store/0/5/msg/17/70002-1300.msg")));
        try (var list = Files.list(drDir)) {
            assertTrue(list.noneMatch(p -> p.getFileName().toString().endsWith(".partial")));
        }
        assertTrue(host.pool.snapshots().stream().anyMatch(n -> n.endsWith("@" + tag)), "the set itself untouched");
    }

    private List<String> rsyncClones() {
        return host.pool.zfs("list", "-H", "-o", "name", "-r", host.pool.name()).stdout().lines().filter(l -> l.contains("zmsnap-rsync")).toList();
    }
}
