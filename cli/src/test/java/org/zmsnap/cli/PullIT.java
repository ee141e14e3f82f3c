package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
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
import org.zmsnap.daemon.Daemon;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.SshHost;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.GeneratedMessage;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SnapshotCycle;
import org.zmsnap.systemd.SdNotify;

/**
 * Pull mode end to end: the DR host (a second zfs-fuse pool and a config with only 'sources') fetches from the
 * mailbox host through a real sshd whose only command for the DR host's key is 'zmsnap serve --send-only'.
 * The mailbox host holds no credential to the DR host.
 */
class PullIT {
    static final Path ROOT = Path.of(System.getProperty("zmsnap.project.root", ".."));
    SnapshotHost host;
    ZfsPool dr;
    SshHost ssh;
    Instant clock = Instant.parse("2026-11-22T10:00:00Z");

    @BeforeEach
    void start() {
        host = new SnapshotHost();
        dr = ZfsPool.createEmpty("zpl", "2G");
        ssh = SshHost.start(host.dir);
        // The MAILBOX host's authorized_keys: the DR host's key may only read and send inside the Zimbra datasets.
        ssh.authorize("command=\"" + ROOT.resolve("bin/zmsnap").toAbsolutePath().normalize() + " serve --send-only --root "
                + host.pool.name() + "/zimbra\",restrict");
    }

    @AfterEach
    void stop() {
        try {
            ssh.close();
            dr.close();
        } finally {
            host.close();
        }
    }

    String drRoot() {
        return dr.name() + "/mbox1";
    }

    Path mailboxConfig() {
        return host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 50 }\n  daily: { schedule: \"0 0 2 * * ?\", keep: 5 }\n");
    }

    Path drConfig(String keep, String extraPull) throws Exception {
        Path f = host.dir.resolve("dr.yaml");
        String datasets = String.join(", ", host.pool.zimbraDatasets());
        Files.writeString(f, "host: dr1\nlock-file: " + host.dir.resolve("dr-cycle.lock") + "\n"
                + "restore:\n  workdir: " + host.dir.resolve("drw") + "\n"
                + "sources:\n  mbox1:\n    datasets: [" + datasets + "]\n    root: " + drRoot() + "\n    keep: " + keep + "\n"
                + "    pull:\n      host: 127.0.0.1\n      port: " + ssh.port() + "\n      user: root\n"
                + "      identity: " + ssh.clientKey() + "\n      known-hosts: " + ssh.knownHosts() + "\n"
                + "      stall-timeout: 5s\n      command-timeout: 30s\n" + extraPull);
        return f;
    }

    void takeSet(Path cfgFile, String policy) throws Exception {
        Config cfg = ConfigLoader.load(cfgFile);
        Path store = host.pool.mountpoint(host.pool.dataset("store"));
        byte[] data = new byte[256 * 1024];
        new Random(clock.getEpochSecond()).nextBytes(data);
        Files.write(store.resolve("blob-" + clock.getEpochSecond()), data);
        clock = clock.plusSeconds(3600);
        try (AgentContext ctx = new AgentContext(cfg)) {
            assertInstanceOf(CycleOutcome.Taken.class,
                    new SnapshotCycle(cfg, ctx.zfs(), ctx.quiescer(), Clock.fixed(clock, ZoneOffset.UTC)).run(policy));
        }
    }

    List<String> drSnaps(String leaf) {
        return dr.snapshots().stream().filter(s -> s.startsWith(drRoot() + "/zimbra/" + leaf + "@")).toList();
    }

    JsonNode json(CliRun.Result r) throws Exception {
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void fullThenIncrementalPullKeepsTheDrHostsOwnRetentionAndHoldsTheChainOnTheMailboxHost() throws Exception {
        Path mbox = mailboxConfig();
        Path drCfg = drConfig("{ hourly: 2 }", "");
        takeSet(mbox, "hourly");
        CliRun.Result first = CliRun.run(host.dir, "pull", "--config", drCfg.toString(), "--json");
        assertEquals(0, first.exit(), first.err() + first.out() + Files.readString(ssh.sshdLog()));
        JsonNode f = json(first).get(0);
        assertEquals("mbox1", f.get("source").asText());
        assertEquals("replicated", f.get("result").asText());
        assertEquals(1, drSnaps("db").size());
        assertEquals("on", Proc.run(Duration.ofSeconds(30), "zfs", "get", "-Hp", "-o", "value", "readonly", drRoot() + "/zimbra/db")
                .stdout().strip(), "DR copies are read-only");

        takeSet(mbox, "hourly");
        takeSet(mbox, "daily"); // not in this source's keep: never pulled
        takeSet(mbox, "hourly");
        takeSet(mbox, "hourly");
        CliRun.Result second = CliRun.run(host.dir, "pull", "--config", drCfg.toString(), "--json");
        assertEquals(0, second.exit(), second.err());
        JsonNode s = json(second).get(0);
        assertTrue(s.get("steps").toString().contains("-i zmsnap_hourly") && !s.get("steps").toString().contains("full"),
                "incremental from the set in common: " + s);
        List<String> kept = drSnaps("store");
        assertEquals(2, kept.size(), "the DR host's keep: { hourly: 2 }, applied here: " + kept);
        assertFalse(kept.stream().anyMatch(n -> n.contains("_daily_")), kept.toString());
        String newest = s.get("newest_common").asText();
        assertTrue(kept.stream().anyMatch(n -> n.endsWith("@" + newest)), kept + " has " + newest);

        // The mailbox host's newest common snapshot carries the DR host's hold (zmsnap:dr1), so its retention cannot
        // break the chain; the one it held before was released. zfs-fuse has no 'zfs holds': count them.
        assertEquals("1", userrefs(host.pool.dataset("store") + "@" + newest));
        assertEquals("0", userrefs(host.pool.dataset("store") + "@" + f.get("newest_common").asText()));

        CliRun.Result st = CliRun.run(host.dir, "sources", "--config", drCfg.toString(), "--json");
        assertEquals(0, st.exit(), st.err());
        JsonNode row = json(st).get(0);
        assertEquals(newest, row.get("newest").asText());
        assertEquals("replicated", row.get("last_result").asText());
        assertEquals(2, row.get("sets").asInt());
        assertTrue(row.get("lag_seconds").asLong() > 0);

        CliRun.Result noChange = CliRun.run(host.dir, "pull", "--config", drCfg.toString(), "--json");
        assertEquals(0, noChange.exit(), noChange.err());
        assertEquals(0, json(noChange).get(0).get("bytes").asLong());

        // What 'zmsnap promote' snapshots before it touches the copies is newer, but no source sent it: the status
        // still shows the newest received set.
        dr.zfs("snapshot", "-r", drRoot() + "/zimbra@zmsnap_prepromote_2027-01-01T00:00:00Z");
        CliRun.Result afterPromoteSnapshot = CliRun.run(host.dir, "sources", "--config", drCfg.toString(), "--json");
        assertEquals(0, afterPromoteSnapshot.exit(), afterPromoteSnapshot.err());
        assertEquals(newest, json(afterPromoteSnapshot).get(0).get("newest").asText(), afterPromoteSnapshot.out());
    }

    @Test
    void theDrHostsPruneKeepsTheNewestSetReceivedWholeAndHeldSets() throws Exception {
        Path mbox = mailboxConfig();
        Path wide = drConfig("{ hourly: 10 }", "");
        for (int i = 0; i < 4; i++) {
            takeSet(mbox, "hourly");
        }
        assertEquals(0, CliRun.run(host.dir, "pull", "--config", wide.toString()).exit());
        assertEquals(4, drSnaps("db").size());
        String oldest = drSnaps("db").get(0);
        Proc.run(Duration.ofSeconds(30), "zfs", "hold", "keep-me", oldest.replace("/zimbra/db@", "/zimbra/index@"));
        Path narrow = drConfig("{ hourly: 1 }", "");
        CliRun.Result dry = CliRun.run(host.dir, "prune", "--source", "mbox1", "--dry-run", "--config", narrow.toString());
        assertEquals(0, dry.exit(), dry.err());
        assertEquals(4, drSnaps("db").size(), "dry run changes nothing");
        assertTrue(dry.out().contains("would destroy"), dry.out());
        CliRun.Result prune = CliRun.run(host.dir, "prune", "--source", "mbox1", "--config", narrow.toString());
        assertEquals(0, prune.exit(), prune.err());
        List<String> left = drSnaps("db");
        assertEquals(2, left.size(), "the newest and the held set stay: " + left);
        assertTrue(left.contains(oldest), left.toString());
        Proc.run(Duration.ofSeconds(30), "zfs", "release", "keep-me", oldest.replace("/zimbra/db@", "/zimbra/index@"));
    }

    @Test
    void theMailboxHostsKeyCannotReceiveDestroyOrReachOutsideItsRoot() throws Exception {
        takeSet(mailboxConfig(), "hourly");
        String snap = host.pool.dataset("db") + "@" + host.snapshots().get(0).split("@")[1];
        for (List<String> cmd : List.of(List.of("zfs", "destroy", snap), List.of("zfs", "rollback", snap),
                List.of("zfs", "receive", "-u", host.pool.dataset("db") + "x"), List.of("zfs", "set", "readonly=on", host.pool.dataset("db")),
                List.of("zfs", "send", host.pool.name() + "@x"), List.of("cat", "/etc/shadow"))) {
            Proc.Result r = Proc.run(Duration.ofSeconds(30), ssh.sshCommand(cmd.toArray(String[]::new)));
            assertEquals(1, r.exitCode(), cmd + ": " + r.stderr());
        }
        assertTrue(host.snapshots().stream().anyMatch(s -> s.endsWith(snap.substring(snap.indexOf('@')))), "nothing destroyed");
    }

    @Test
    void anUnknownHostKeyIsRefusedAndNothingIsReceived() throws Exception {
        takeSet(mailboxConfig(), "hourly");
        ssh.rotateHostKey();
        Path drCfg = drConfig("{ hourly: 2 }", "");
        CliRun.Result r = CliRun.run(host.dir, "pull", "--config", drCfg.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("CHANGED"), r.err());
        assertTrue(dr.snapshots().isEmpty());
    }

    @Test
    void aDrConfigRefusesMailboxHostCommandsAndUnknownSources() throws Exception {
        Path drCfg = drConfig("{ hourly: 2 }", "");
        CliRun.Result snap = CliRun.run(host.dir, "snapshot", "--config", drCfg.toString());
        assertEquals(2, snap.exit());
        assertTrue(snap.err().contains("--source"), snap.err());
        CliRun.Result unknown = CliRun.run(host.dir, "pull", "--source", "mbox9", "--config", drCfg.toString());
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("unknown source 'mbox9'"), unknown.err());
    }

    @Test
    void aChainSeededByPushIsContinuedByPullAndRestoredOnTheDrHostWithSource() throws Exception {
        Path store = host.pool.mountpoint(host.pool.dataset("store"));
        GeneratedAccount acct;
        try (Connection c = host.db.connect()) {
            acct = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(1, 40)).generate(c, store).accounts().get(0);
        }
        Path mbox = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 50 }\n"
                + "targets:\n  seed:\n    type: zfs\n    host: local\n    root: " + drRoot() + "\n");
        takeSet(mbox, "hourly");
        CliRun.Result push = CliRun.run(host.dir, "replicate", "--config", mbox.toString(), "--target", "seed");
        assertEquals(0, push.exit(), push.err());
        takeSet(mbox, "hourly");

        Path drCfg = drConfig("{ hourly: 5 }", "");
        CliRun.Result pull = CliRun.run(host.dir, "pull", "--config", drCfg.toString(), "--json");
        assertEquals(0, pull.exit(), pull.err());
        JsonNode p = json(pull).get(0);
        assertFalse(p.get("steps").toString().contains("full"), "the pushed seed is the base of the pull (same GUIDs): " + p);
        assertEquals(2, drSnaps("db").size());

        GeneratedMessage m = acct.messages().get(0);
        Path out = host.dir.resolve("from-dr");
        CliRun.Result r = CliRun.run(host.dir, "restore", "item", "--config", drCfg.toString(), "--source", "mbox1", "--snapshot", "latest",
                "--account", acct.email(), "--item", Integer.toString(m.id()), "--to-dir", out.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("source mbox1"), r.out());
        assertEquals(m.digest(), RestoreCliIT.sha(Files.readAllBytes(
                out.resolve(acct.folders().get(m.folderId()).substring(1)).resolve(m.id() + ".eml"))));
        String clones = dr.zfs("list", "-H", "-o", "name", "-r", dr.name()).stdout();
        assertFalse(clones.contains("zmsnap-restore-"), "the restore removed its clones: " + clones);
    }

    @Test
    void zmsnapdOnTheDrHostPullsOnItsScheduleAndExportsTheSourceLag() throws Exception {
        Path mbox = mailboxConfig();
        takeSet(mbox, "hourly");
        Path drCfg = drConfig("{ hourly: 5 }", "      schedule: \"*/3 * * * * ?\"\n");
        Files.writeString(drCfg, Files.readString(drCfg) + "metrics:\n  listen: 127.0.0.1:0\n");
        Config cfg = ConfigLoader.load(drCfg);
        try (Daemon d = Daemon.start(cfg, SdNotify.fromEnvironment())) {
            HttpClient http = HttpClient.newHttpClient();
            URI metrics = URI.create("http://127.0.0.1:" + d.metricsPort() + "/metrics");
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            String body = "";
            while (System.nanoTime() < deadline) {
                body = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
                if (body.lines().anyMatch(l -> l.startsWith("zmsnap_source_pull_total{") && l.contains("result=\"replicated\"")
                        && !l.endsWith(" 0.0"))) {
                    break;
                }
                Thread.sleep(500);
            }
            String all = body;
            assertTrue(all.lines().anyMatch(l -> l.startsWith("zmsnap_source_pull_total{") && l.contains("result=\"replicated\"")
                    && l.contains("source=\"mbox1\"") && !l.endsWith(" 0.0")), all);
            assertTrue(all.lines().anyMatch(l -> l.startsWith("zmsnap_source_lag_seconds{") && !l.endsWith("NaN")), all);
            assertTrue(all.contains("zmsnap_source_rpo_seconds{"), all);
        }
        assertEquals(1, drSnaps("db").size());
    }

    @Test
    void aDivergedCopyIsRefusedWithTheCommandForThisHostAndNothingChanges() throws Exception {
        Path mbox = mailboxConfig();
        Path drCfg = drConfig("{ hourly: 5 }", "");
        takeSet(mbox, "hourly");
        assertEquals(0, CliRun.run(host.dir, "pull", "--config", drCfg.toString()).exit());
        String db = drRoot() + "/zimbra/db";
        dr.zfs("snapshot", db + "@tampered"); // someone wrote on the DR copy
        takeSet(mbox, "hourly");
        List<String> before = dr.snapshots();
        CliRun.Result r = CliRun.run(host.dir, "pull", "--config", drCfg.toString(), "--json");
        assertEquals(1, r.exit(), r.out() + r.err());
        JsonNode j = json(r).get(0);
        assertEquals("refused", j.get("result").asText());
        assertTrue(j.get("reason").asText().contains("diverged") && j.get("reason").asText().contains("zfs rollback -r " + db + "@"),
                j.toString());
        assertEquals(before, dr.snapshots(), "nothing received, nothing destroyed");
        CliRun.Result st = CliRun.run(host.dir, "sources", "--config", drCfg.toString(), "--json");
        assertEquals("refused", json(st).get(0).get("last_result").asText(), st.out());
    }

    @Test
    void aCompromisedMailboxHostCannotChooseMountsThroughThePulledStream() throws Exception {
        // The attacker owns the mailbox host: its 'zfs send' now emits streams with properties (-p carries the
        // dataset's mountpoint), and on zfs-fuse an -I package could hide a nested header. The DR host checks
        // the stream's header before anything reaches 'zfs receive', as 'zmsnap serve' does.
        Path evil = host.dir.resolve("evil-zfs");
        Files.writeString(evil, "#!/bin/bash\nif [ \"$1\" = send ]; then shift; exec zfs send -p \"$@\"; fi\nexec zfs \"$@\"\n");
        Files.setPosixFilePermissions(evil, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        ssh.authorize("command=\"" + ROOT.resolve("bin/zmsnap").toAbsolutePath().normalize() + " serve --send-only --zfs " + evil
                + " --root " + host.pool.name() + "/zimbra\",restrict");
        takeSet(mailboxConfig(), "hourly");
        Path drCfg = drConfig("{ hourly: 2 }", "");
        CliRun.Result r = CliRun.run(host.dir, "pull", "--config", drCfg.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("carries dataset properties") && r.err().contains("Nothing was received"), r.err());
        assertTrue(dr.snapshots().isEmpty(), "nothing received: " + dr.snapshots());
        String datasets = dr.zfs("list", "-H", "-o", "name,mountpoint", "-r", dr.name()).stdout();
        assertFalse(datasets.contains(host.pool.mountpoint(host.pool.dataset("db")).toString()), datasets);
    }

    /**
     * A mailbox host whose sends trickle (throttled, or an attacker stalling the DR host): its 'zfs' for
     * 'serve --send-only' pipes 'zfs send' through a 4 KB/s throttle. Test-only script; the product runs no shell.
     */
    void trickleFromTheMailboxHost() throws Exception {
        Path slow = host.dir.resolve("trickle-zfs");
        Files.writeString(slow, "#!/bin/bash\nif [ \"$1\" = send ]; then shift; set -o pipefail\n"
                + "  zfs send \"$@\" | perl -e '$|=1; binmode STDIN; binmode STDOUT;"
                + " while (read(STDIN, $b, 400)) { print $b; select(undef, undef, undef, 0.1) }'\n  exit $?\nfi\nexec zfs \"$@\"\n");
        Files.setPosixFilePermissions(slow, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        ssh.authorize("command=\"" + ROOT.resolve("bin/zmsnap").toAbsolutePath().normalize() + " serve --send-only --zfs " + slow
                + " --root " + host.pool.name() + "/zimbra\",restrict");
    }

    @Test
    void aTricklingPullEndsAtTheMinimumRateKeepsWhatWasReceivedAndFreesTheSourceForPromote() throws Exception {
        Path mbox = mailboxConfig();
        Path drCfg = drConfig("{ hourly: 5 }", ""); // stall-timeout 5s, min-rate left at its default (64 KiB/s)
        takeSet(mbox, "hourly");
        assertEquals(0, CliRun.run(host.dir, "pull", "--config", drCfg.toString()).exit());
        List<String> before = dr.snapshots();
        byte[] big = new byte[1 << 20]; // at 4 KB/s, minutes of stream
        new Random(7).nextBytes(big);
        Files.write(host.pool.mountpoint(host.pool.dataset("store")).resolve("big"), big);
        takeSet(mbox, "hourly");
        trickleFromTheMailboxHost();

        Config cfg = ConfigLoader.load(drCfg);
        org.zmsnap.config.SourceConfig source = cfg.source("mbox1");
        Path linkLock = cfg.linkLock("source", "mbox1");
        try (AgentContext ctx = new AgentContext(cfg)) {
            org.zmsnap.drhost.SourceJobs jobs = new org.zmsnap.drhost.SourceJobs(cfg, ctx.zfs());
            long t0 = System.nanoTime();
            java.util.concurrent.CompletableFuture<org.zmsnap.replication.ReplicationOutcome> run =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> jobs.pull(source));
            // While the trickle runs, the pull holds the source's link lock (what 'zmsnap promote' takes).
            boolean sawItHeld = false;
            while (!run.isDone() && !sawItHeld) {
                try (org.zmsnap.snapshot.HostLock probe = org.zmsnap.snapshot.HostLock.acquire(linkLock, "probe", Duration.ZERO)) {
                    Thread.sleep(20); // not yet taken: let go at once, so the pull can take it
                } catch (org.zmsnap.snapshot.HostLock.HostLockBusyException held) {
                    sawItHeld = true;
                }
                Thread.sleep(100);
            }
            org.zmsnap.replication.ReplicationOutcome o = run.get(120, java.util.concurrent.TimeUnit.SECONDS);
            double secs = (System.nanoTime() - t0) / 1e9;
            assertTrue(sawItHeld, "the pull held the link lock while it ran");
            org.zmsnap.replication.ReplicationOutcome.Failed f = assertInstanceOf(org.zmsnap.replication.ReplicationOutcome.Failed.class, o);
            assertTrue(f.reason().contains("trickled") && f.reason().contains("min-rate") && f.reason().contains("intact"), f.reason());
            // One 5 s window after the trickling stream starts (plus the watchdog's period, SSH and the listing):
            // well under a minute, where nothing but a kill would have ended it before.
            assertTrue(secs < 45, "the trickling pull ended after " + secs + " s");
            try (org.zmsnap.snapshot.HostLock free = org.zmsnap.snapshot.HostLock.acquire(linkLock, "promote", Duration.ZERO)) {
                // taken at once: a promotion waiting for this source would run now
            }
            System.out.println("trickling pull ended after " + secs + " s: " + f.reason());
        }
        List<String> after = dr.snapshots();
        assertTrue(after.containsAll(before), "what the DR host had is intact: " + before + " -> " + after);
        assertEquals(1, drSnaps("store").size(), "the cut increment of the store was not received: " + after);
        CliRun.Result st = CliRun.run(host.dir, "sources", "--config", drCfg.toString(), "--json");
        assertEquals("failed", json(st).get(0).get("last_result").asText(), st.out());
    }

    @Test
    void aPullThatOutlivesItsMaxDurationEndsAsFailedAndSaysWhichSetting() throws Exception {
        takeSet(mailboxConfig(), "hourly");
        trickleFromTheMailboxHost();
        // The minimum rate is off: only the run's deadline can end this trickle.
        Path drCfg = drConfig("{ hourly: 5 }", "      min-rate: 0\n      max-duration: 8s\n");
        long t0 = System.nanoTime();
        CliRun.Result r = CliRun.run(host.dir, "pull", "--config", drCfg.toString(), "--json");
        double secs = (System.nanoTime() - t0) / 1e9;
        assertEquals(1, r.exit(), r.out() + r.err());
        JsonNode j = json(r).get(0);
        assertEquals("failed", j.get("result").asText());
        assertTrue(j.get("reason").asText().contains("max-duration of 8s"), j.toString());
        assertTrue(secs >= 8 && secs < 60, "ended after " + secs + " s");
        assertEquals(0, CliRun.run(host.dir, "prune", "--source", "mbox1", "--dry-run", "--config", drCfg.toString()).exit(),
                "the source's link lock is free again");
    }

    @Test
    void aPullWithABandwidthCapStaysUnderIt() throws Exception {
        Path mbox = mailboxConfig();
        takeSet(mbox, "hourly");
        assertEquals(0, CliRun.run(host.dir, "pull", "--config", drConfig("{ hourly: 5 }", "").toString()).exit());
        // 8 s at the cap: the pump's burst (one second of it) can beat the cap by at most 1/7 here, under the 1.3 bound
        byte[] data = new byte[1 << 20];
        new Random(11).nextBytes(data); // incompressible: what is sent is what is written
        Files.write(host.pool.mountpoint(host.pool.dataset("store")).resolve("big"), data);
        takeSet(mbox, "hourly");
        // Well under what this link moves uncapped (the seed above), so the cap is what binds.
        long cap = 128L << 10;
        Path capped = drConfig("{ hourly: 5 }", "      bandwidth: 128KiB/s\n");
        CliRun.Result r = CliRun.run(host.dir, "pull", "--config", capped.toString(), "--json");
        assertEquals(0, r.exit(), r.out() + r.err());
        JsonNode j = json(r).get(0);
        long bytes = j.get("bytes").asLong();
        double secs = j.get("seconds").asDouble();
        assertTrue(bytes >= data.length, "the increment carried the new data: " + j);
        double rate = bytes / secs;
        // A busy machine only makes a run slower; the cap must never be beaten by more than the pump's burst.
        assertTrue(rate <= 1.3 * cap, "pulled " + bytes + " bytes in " + secs + " s = " + (long) rate + " B/s against a cap of " + cap);
        System.out.println("capped pull: " + bytes + " bytes in " + secs + " s = " + (long) rate + " B/s (cap " + cap + ")");
    }

    static String userrefs(String snapshot) {
        return Proc.run(Duration.ofSeconds(30), "zfs", "get", "-Hp", "-o", "value", "userrefs", snapshot).stdout().strip();
    }
}
