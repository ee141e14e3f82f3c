package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.exec.Command;
import org.zmsnap.exec.CommandResult;
import org.zmsnap.exec.RunningCommand;
import org.zmsnap.exec.SshRunner;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.SshHost;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.ReplicationRunner;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SnapshotCycle;

/** Replication over a real OpenSSH sshd on loopback into a second zfs-fuse pool, through 'zmsnap serve'. */
class SshReplicationIT {
    static final Path ROOT = Path.of(System.getProperty("zmsnap.project.root", ".."));
    SnapshotHost host;
    ZfsPool dr;
    SshHost ssh;
    Instant clock = Instant.parse("2026-11-22T10:00:00Z");

    @BeforeEach
    void start() {
        host = new SnapshotHost();
        dr = ZfsPool.createEmpty("zsd", "2G");
        ssh = SshHost.start(host.dir);
        // The DR host's authorized_keys: zmsnap's key may only run the restricted receiver.
        ssh.authorize("command=\"" + ROOT.resolve("bin/zmsnap").toAbsolutePath().normalize() + " serve --root " + drRoot() + "\",restrict");
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

    Path config(String root, String extra) {
        return host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 50 }\n"
                + "targets:\n  dr1:\n    type: zfs\n    host: 127.0.0.1\n    port: " + ssh.port() + "\n    user: root\n"
                + "    identity: " + ssh.clientKey() + "\n    known-hosts: " + ssh.knownHosts() + "\n    root: " + root + "\n"
                + "    stall-timeout: 5s\n    command-timeout: 30s\n" + extra);
    }

    void takeSet(Path cfgFile) throws Exception {
        Config cfg = ConfigLoader.load(cfgFile);
        Path store = host.pool.mountpoint(host.pool.dataset("store"));
        byte[] data = new byte[512 * 1024];
        new Random(clock.getEpochSecond()).nextBytes(data);
        Files.write(store.resolve("blob-" + clock.getEpochSecond()), data);
        clock = clock.plusSeconds(3600);
        try (AgentContext ctx = new AgentContext(cfg)) {
            assertInstanceOf(CycleOutcome.Taken.class,
                    new SnapshotCycle(cfg, ctx.zfs(), ctx.quiescer(), Clock.fixed(clock, ZoneOffset.UTC)).run("hourly"));
        }
    }

    List<String> drSnaps(String leaf) {
        return dr.snapshots().stream().filter(s -> s.startsWith(drRoot() + "/zimbra/" + leaf + "@")).toList();
    }

    @Test
    void fullThenIncrementalThroughTheRestrictedReceiverAndTargetsShowsLag() throws Exception {
        Path cfg = config(drRoot(), "");
        takeSet(cfg);
        CliRun.Result r1 = CliRun.run(host.dir, "replicate", "--config", cfg.toString(), "--json");
        assertEquals(0, r1.exit(), r1.err() + r1.out() + Files.readString(ssh.sshdLog()));
        takeSet(cfg);
        takeSet(cfg);
        CliRun.Result r2 = CliRun.run(host.dir, "replicate", "--config", cfg.toString(), "--json");
        assertEquals(0, r2.exit(), r2.err());
        JsonNode j = new ObjectMapper().readTree(r2.out()).get(0);
        assertEquals("replicated", j.get("result").asText());
        // The DR host's serve accepts only plain streams where its receive cannot pin properties (zfs-fuse here):
        // the two new sets go as one 'zfs send -i' each instead of one '-I' package.
        assertTrue(j.get("steps").toString().contains("-i ") && !j.get("steps").toString().contains("-I "), j.toString());
        assertEquals(2 * 4, j.get("steps").size(), j.toString());
        assertEquals(3, drSnaps("db").size());

        CliRun.Result t = CliRun.run(host.dir, "targets", "--config", cfg.toString(), "--json");
        JsonNode tj = new ObjectMapper().readTree(t.out()).get(0);
        assertEquals(j.get("newest_common").asText(), tj.get("newest_common").asText(), t.out());
        assertEquals("replicated", tj.get("last_result").asText());
        assertTrue(tj.get("lag_seconds").asLong() >= 0);
    }

    @Test
    void sshKilledMidStreamLeavesNoCorruptDatasetAndTheNextRunCompletes() throws Exception {
        Path cfg = config(drRoot(), "    keep: { hourly: 20 }\n");
        takeSet(cfg);
        assertEquals(0, CliRun.run(host.dir, "replicate", "--config", cfg.toString()).exit());
        for (int i = 0; i < 12; i++) { // ~6 MiB of new mail
            takeSet(cfg);
        }
        Path slow = config(drRoot(), "    keep: { hourly: 20 }\n    bandwidth: 1MiB/s\n");
        Config slowCfg = ConfigLoader.load(slow);
        List<String> before = drSnaps("store");
        CompletableFuture<ReplicationOutcome> run = CompletableFuture.supplyAsync(() -> {
            try (AgentContext ctx = new AgentContext(slowCfg)) {
                return new ReplicationRunner(slowCfg, ctx.zfs(), ctx.catalog()).run(slowCfg.targets().get("dr1"), false);
            }
        });
        Thread.sleep(2500);
        // Cut the connection, as a network failure would: kill sshd's per-connection processes.
        ssh.daemon().process().children().forEach(ProcessHandle::destroyForcibly);
        ReplicationOutcome o = run.get(60, TimeUnit.SECONDS);
        ReplicationOutcome.Failed f = assertInstanceOf(ReplicationOutcome.Failed.class, o, o.toString());
        assertTrue(!f.reason().isBlank());
        for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
            String ds = drRoot() + "/zimbra/" + leaf;
            assertTrue(Proc.run(Duration.ofSeconds(30), "zfs", "list", "-H", ds).ok(), ds + " still there");
        }
        assertTrue(drSnaps("store").containsAll(before), "what was received stays");
        cfg = config(drRoot(), "    keep: { hourly: 20 }\n");
        CliRun.Result again = CliRun.run(host.dir, "replicate", "--config", cfg.toString());
        assertEquals(0, again.exit(), again.err());
        assertEquals(13, drSnaps("store").size());
    }

    @Test
    void aChangedHostKeyIsRefusedAndNothingChanges() throws Exception {
        Path cfg = config(drRoot(), "");
        takeSet(cfg);
        ssh.rotateHostKey();
        List<String> srcBefore = host.snapshots();
        CliRun.Result r = CliRun.run(host.dir, "replicate", "--config", cfg.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("CHANGED"), r.err());
        assertTrue(dr.snapshots().isEmpty());
        assertEquals(srcBefore, host.snapshots());
    }

    /** Every serve JVM of this test's key seen while {@code during} runs, polled every few ms (each lives ~0.3 s or more). */
    boolean isServe(ProcessHandle p) {
        ProcessHandle.Info i = p.info();
        return i.commandLine().orElse("").contains("serve --root " + drRoot()) && i.command().orElse("").endsWith("java");
    }

    Set<Long> serveProcessesDuring(Callable<?> during) throws Exception {
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        AtomicBoolean done = new AtomicBoolean();
        Thread watcher = new Thread(() -> {
            while (!done.get()) {
                // A serve JVM's child caught between its fork and its exec (every zfs it starts) is, for those
                // microseconds, a java process with the serve's command line: CI saw one. A serve's parent is sshd's
                // shell, never a serve.
                ProcessHandle.allProcesses().filter(this::isServe).filter(p -> p.parent().filter(this::isServe).isEmpty())
                        .forEach(p -> seen.add(p.pid()));
                LockSupport.parkNanos(3_000_000);
            }
        });
        watcher.start();
        try {
            during.call();
        } finally {
            done.set(true);
            watcher.join();
        }
        return seen;
    }

    @Test
    void aWholeRunGoesThroughOneServeProcessWhichStillDecidesEveryCommand() throws Exception {
        Path cfg = config(drRoot(), "");
        takeSet(cfg);
        CliRun.Result[] full = new CliRun.Result[1];
        Set<Long> serves = serveProcessesDuring(() -> full[0] = CliRun.run(host.dir, "replicate", "--config", cfg.toString(), "--json"));
        assertEquals(0, full[0].exit(), full[0].err());
        assertEquals("replicated", new ObjectMapper().readTree(full[0].out()).get(0).get("result").asText());
        assertEquals(4, dr.snapshots().size(), dr.snapshots().toString());
        // Before sessions: one JVM per call (the version probe, the listing, a receive per dataset, the holds' listing).
        assertEquals(1, serves.size(), "serve processes seen during one run: " + serves);

        try (SshRunner r = SshRunner.connect("127.0.0.1", ssh.port(), "root", ssh.clientKey(), ssh.knownHosts(), Duration.ofSeconds(30))) {
            assertTrue(r.preferServeSession(Duration.ofSeconds(30)));
            CommandResult list = r.run(Command.of(Duration.ofSeconds(30), "zfs", "list", "-H", "-o", "name", "-r", drRoot()));
            assertEquals(0, list.exitCode(), list.stderr());
            assertTrue(list.stdout().contains(drRoot() + "/zimbra/db"), list.stdout());
            CommandResult destroy = r.run(Command.of(Duration.ofSeconds(30), "zfs", "destroy", "-r", drRoot()));
            assertEquals(1, destroy.exitCode());
            assertTrue(destroy.stderr().contains("refused"), destroy.stderr());
            // A stream that is not a plain zfs stream never reaches zfs receive, inside a session as outside.
            RunningCommand recv = r.start(List.of("zfs", "receive", "-u", drRoot() + "/zimbra/evil"));
            try (var in = recv.stdin()) {
                in.write(new byte[1 << 16]);
            } catch (java.io.IOException e) {
                // the refusal came first: as a pipe whose reader exited
            }
            assertEquals(1, recv.waitFor(Duration.ofSeconds(30)));
            assertTrue(recv.stderr().contains("refused"), recv.stderr());
            // The DR-link attacks, each inside the session: a rollback, a send of the root's data, a stream that carries
            // properties (zfs send -p). Every one is refused and the session goes on.
            String drSnap = dr.snapshots().stream().filter(n -> n.startsWith(drRoot() + "/zimbra/db@")).findFirst().orElseThrow();
            for (List<String> attack : List.of(List.of("zfs", "rollback", "-r", drSnap), List.of("zfs", "send", drSnap))) {
                CommandResult no = r.run(Command.of(Duration.ofSeconds(30), attack.toArray(String[]::new)));
                assertEquals(1, no.exitCode(), attack + ": " + no.stdout());
                assertTrue(no.stderr().contains("refused"), no.stderr());
            }
            String hostSnap = host.pool.snapshots().stream().filter(n -> n.startsWith(host.pool.dataset("db") + "@")).findFirst()
                    .orElseThrow();
            Process sendP = new ProcessBuilder("zfs", "send", "-p", hostSnap).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            RunningCommand props = r.start(List.of("zfs", "receive", "-u", drRoot() + "/zimbra/props"));
            try (var in = props.stdin(); var from = sendP.getInputStream()) {
                from.transferTo(in);
            } catch (java.io.IOException e) {
                // refused at the first record: as a pipe whose reader exited
            }
            sendP.destroy();
            assertEquals(1, props.waitFor(Duration.ofSeconds(30)));
            assertTrue(props.stderr().contains("carries dataset properties"), props.stderr());
            assertEquals(0, r.run(Command.of(Duration.ofSeconds(30), "zfs", "list", drRoot())).exitCode(), "the session goes on");
        }
        assertEquals(4, dr.snapshots().size(), "nothing destroyed, nothing received: " + dr.snapshots());
        assertTrue(Proc.run(Duration.ofSeconds(30), "zfs", "list", drRoot() + "/zimbra/props").exitCode() != 0);
        assertTrue(Proc.run(Duration.ofSeconds(30), "zfs", "list", drRoot() + "/zimbra/db").ok());
    }

    @Test
    void serveRefusesAReceiveOutsideItsRootAndAnyOtherCommand() throws Exception {
        Path outside = config(dr.name() + "/other", "");
        takeSet(outside);
        CliRun.Result r = CliRun.run(host.dir, "replicate", "--config", outside.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("outside this key's root"), r.err());
        assertTrue(dr.snapshots().isEmpty(), "nothing received");

        Proc.Result shell = Proc.run(Duration.ofSeconds(30), ssh.sshCommand("cat", "/etc/shadow"));
        assertEquals(1, shell.exitCode());
        assertTrue(shell.stderr().contains("only zfs commands are allowed"), shell.stderr());
        Proc.Result destroy = Proc.run(Duration.ofSeconds(30), ssh.sshCommand("zfs", "destroy", "-r", dr.name()));
        assertEquals(1, destroy.exitCode());
        assertTrue(Proc.run(Duration.ofSeconds(30), "zpool", "list", dr.name()).ok());
    }
}
