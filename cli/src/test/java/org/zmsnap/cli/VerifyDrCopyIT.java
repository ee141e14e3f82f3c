package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.zmsnap.AgentContext;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.SshHost;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.fixtures.zimbra.BlobPath;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.GeneratedMessage;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.snapshot.CycleOutcome;

/**
 * Restore drills of a DR host's copies, with real zfs-fuse, mariadbd and sshd: the DR host (a second pool and a
 * config with only {@code sources:}) pulls a mailbox host's sets through {@code serve --send-only}, then verifies them
 * where they would be restored. A clean set passes and the result is recorded on the copies; a set whose mailbox host
 * had a blob lost and a byte flipped before its snapshot fails naming exactly those two items. A receive running
 * into the copies, and another zmsnap holding the same set open, are refused with nothing changed; the drill's
 * sandbox runs under nice/ionice, a mount's (a restore's) at normal priority.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifyDrCopyIT {
    static final Path ROOT = Path.of(System.getProperty("zmsnap.project.root", ".."));
    static final ObjectMapper JSON = new ObjectMapper();

    SnapshotHost host;
    ZfsPool dr;
    SshHost ssh;
    Path mbox;
    Path drCfg;
    Path drWork;
    String cleanTag;
    String faultyTag;
    GeneratedAccount a;
    GeneratedMessage lost;
    GeneratedMessage flipped;
    long items;

    @BeforeAll
    void receiveTwoSets() throws Exception {
        host = new SnapshotHost();
        dr = ZfsPool.createEmpty("zvd", "2G");
        ssh = SshHost.start(host.dir);
        ssh.authorize("command=\"" + ROOT.resolve("bin/zmsnap").toAbsolutePath().normalize() + " serve --send-only --root "
                + host.pool.name() + "/zimbra\",restrict");
        Path store = host.pool.mountpoint(host.pool.dataset("store"));
        GeneratedAccount b;
        try (Connection c = host.db.connect()) {
            var boxes = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(2, 40)).generate(c, store);
            a = boxes.accounts().get(0);
            b = boxes.accounts().get(1);
        }
        items = a.messages().size() + b.messages().size() + a.documentIds().size() + b.documentIds().size();
        mbox = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 50 }\n");
        drWork = host.dir.resolve("drw");
        drCfg = host.dir.resolve("dr.yaml");
        Files.writeString(drCfg, "host: dr1\nlock-file: " + host.dir.resolve("dr-cycle.lock") + "\n"
                + "restore:\n  workdir: " + drWork + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n"
                + "sources:\n  mbox1:\n    datasets: [" + String.join(", ", host.pool.zimbraDatasets()) + "]\n"
                + "    root: " + drRoot() + "\n    keep: { hourly: 10 }\n"
                + "    pull:\n      host: 127.0.0.1\n      port: " + ssh.port() + "\n      user: root\n"
                + "      identity: " + ssh.clientKey() + "\n      known-hosts: " + ssh.knownHosts() + "\n"
                + "      stall-timeout: 10s\n      command-timeout: 30s\n");

        cleanTag = snapshot();
        pull();
        // The mailbox host loses a blob and gets a flipped byte in another (silent corruption) before the next set:
        // its copies carry both, and only a drill can tell.
        List<GeneratedMessage> plain = a.messages().stream().filter(m -> !m.gzipped()).toList();
        lost = plain.get(0);
        flipped = plain.get(1);
        BlobPath paths = BlobPath.defaults(store);
        Files.delete(paths.of(a.mailboxId(), lost.id(), lost.modContent()));
        Path f = paths.of(a.mailboxId(), flipped.id(), flipped.modContent());
        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length / 2] ^= 0x20;
        Files.write(f, bytes);
        faultyTag = snapshot();
        pull();
    }

    @AfterAll
    void close() {
        try {
            if (ssh != null) {
                ssh.close();
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

    String drRoot() {
        return dr.name() + "/mbox1";
    }

    private String snapshot() throws InterruptedException {
        Thread.sleep(1100); // tags are per second
        try (AgentContext ctx = new AgentContext(ConfigLoader.load(mbox))) {
            return ((CycleOutcome.Taken) ctx.snapshotCycle().run("hourly")).report().tag().name();
        }
    }

    private void pull() throws Exception {
        CliRun.Result r = CliRun.run(host.dir, "pull", "--config", drCfg.toString());
        assertEquals(0, r.exit(), r.err() + r.out() + Files.readString(ssh.sshdLog()));
    }

    private List<String> copySnapshots(String tag) {
        return dr.snapshots().stream().filter(s -> s.endsWith("@" + tag)).toList();
    }

    private String verified(String snapshot) {
        return dr.zfs("get", "-H", "-o", "value", "org.zmsnap:verified", snapshot).stdout().strip();
    }

    @Test
    void aCleanCopyVerifiesOnTheDrHostAndTheResultIsRecordedOnTheCopies() throws Exception {
        CliRun.Result r = CliRun.run(host.dir, "verify", "-c", drCfg.toString(), "--source", "mbox1", "--snapshot", cleanTag, "--json");
        assertEquals(0, r.exit(), r.out() + r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(cleanTag, j.get("snapshot").asText());
        assertTrue(j.get("source").asText().startsWith("source mbox1 (" + drRoot()), j.toString());
        assertEquals(0, j.get("problems").size(), r.out());
        assertEquals(2, j.get("mailboxes").asInt());
        assertEquals(items, j.get("items").asLong());
        assertEquals(items, j.get("digests_checked").asLong(), "the first verify of the chain digests everything");
        List<String> copies = copySnapshots(cleanTag);
        assertEquals(4, copies.size(), copies.toString());
        for (String s : copies) {
            assertTrue(verified(s).matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z ok full"), s + ": " + verified(s));
        }
        assertNothingLeft();
    }

    @Test
    void aFaultPlantedOnTheMailboxHostIsNamedInTheCopy() throws Exception {
        CliRun.Result r = CliRun.run(host.dir, "verify", "-c", drCfg.toString(), "--source", "mbox1", "--snapshot", "latest",
                "--full", "--json");
        assertEquals(1, r.exit(), r.out() + r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(faultyTag, j.get("snapshot").asText());
        Set<String> got = new TreeSet<>();
        j.get("problems").forEach(p -> got.add(p.get("mailbox").asInt() + "/" + p.get("item").asInt() + "/" + p.get("kind").asText()
                + "/" + p.get("account").asText()));
        assertEquals(new TreeSet<>(Set.of(a.mailboxId() + "/" + lost.id() + "/missing-blob/" + a.email(),
                a.mailboxId() + "/" + flipped.id() + "/digest-mismatch/" + a.email())), got, "exactly the planted faults");
        for (String s : copySnapshots(faultyTag)) {
            assertTrue(verified(s).endsWith(" failed full"), s + ": " + verified(s));
        }
        assertNothingLeft();
    }

    @Test
    void aCopyWithAReceiveRunningIsRefusedAndNothingChanges() throws Exception {
        List<String> before = snapshotsWithMarks();
        // A push or pull still arriving: a real 'zfs receive' into a copy, waiting for its stream.
        Process receive = new ProcessBuilder("zfs", "receive", "-u", drRoot() + "/zimbra/redolog").start();
        try {
            awaitReceiveVisible(receive);
            CliRun.Result r = CliRun.run(host.dir, "verify", "-c", drCfg.toString(), "--source", "mbox1", "--snapshot", "latest");
            assertEquals(1, r.exit(), r.out() + r.err());
            assertTrue(r.err().contains("a receive into its copies is running") && r.err().contains("pid " + receive.pid())
                    && r.err().contains("nothing was changed"), r.err());
            assertFalse(r.err().contains("\tat org."), r.err());
        } finally {
            receive.destroyForcibly().waitFor();
        }
        assertEquals(before, snapshotsWithMarks(), "no snapshot and no mark changed");
        assertNothingLeft();
    }

    @Test
    void aSetHeldOpenByAnotherVerifyIsWaitedForThenRefusedNamingTheHolderAndTheDrillRunsAtLowPriority() throws Exception {
        Path out = host.dir.resolve("held.out");
        Process first = CliRun.start(out, "verify", "-c", drCfg.toString(), "--source", "mbox1", "--snapshot", cleanTag, "--full");
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            Optional<ProcessHandle> sandbox;
            while ((sandbox = sandbox()).isEmpty()) {
                assertTrue(first.isAlive(), "verify ended before its sandbox was seen: " + Files.readString(out));
                assertTrue(System.nanoTime() < deadline, "no sandbox within 60 s");
                Thread.sleep(5);
            }
            Proc.run(Duration.ofSeconds(10), "kill", "-STOP", Long.toString(first.pid()));
            // The drill's priority: the sandbox mariadbd under nice and ionice, the verify's own threads reniced; 10
            // more than the niceness zmsnap was started with (this test's own, inherited).
            int base = nice(Path.of("/proc/self/stat"));
            int low = Math.min(19, base + 10);
            assertEquals(low, nice(Path.of("/proc", Long.toString(sandbox.get().pid()), "stat")), "the sandbox's niceness (base " + base + ")");
            assertEquals("best-effort: prio 7", Proc.run(Duration.ofSeconds(10), "ionice", "-p", Long.toString(sandbox.get().pid()))
                    .stdout().strip());
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(first.pid()), "task"))) {
                assertTrue(tasks.anyMatch(t -> nice(t.resolve("stat")) == low), "a verify thread at nice " + low);
            }

            CliRun.Result second = CliRun.run(host.dir, "verify", "-c", drCfg.toString(), "--source", "mbox1", "--snapshot", cleanTag,
                    "--wait", "2s");
            assertEquals(1, second.exit(), second.out() + second.err());
            assertTrue(second.err().contains("waiting up to 2 s"), second.err());
            assertTrue(second.err().contains(cleanTag + " of source mbox1") && second.err().contains("is open by another zmsnap: pid "
                    + first.pid() + " (zmsnap verify") && second.err().contains("waited 2 s"), second.err());
            assertEquals("", second.out());
        } finally {
            Proc.run(Duration.ofSeconds(10), "kill", "-CONT", Long.toString(first.pid()));
            if (!first.waitFor(120, TimeUnit.SECONDS)) {
                first.destroyForcibly();
            }
        }
        assertEquals(0, first.exitValue(), Files.readString(out) + Files.readString(out.resolveSibling("held.out.err")));
        assertNothingLeft();

        // A restore is not a drill: a mount (the restore path) runs its sandbox at normal priority.
        Path mboxWork = host.dir.resolve("mbw");
        Path withRestore = host.writeConfig(Files.readString(mbox) + "restore:\n  workdir: " + mboxWork
                + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n");
        CliRun.Result m = CliRun.run(host.dir, "mount", "-c", withRestore.toString(), "--snapshot", cleanTag);
        assertEquals(0, m.exit(), m.out() + m.err());
        try {
            assertEquals(nice(Path.of("/proc/self/stat")), nice(Path.of("/proc", Long.toString(sandbox(mboxWork).orElseThrow().pid()), "stat")),
                    "a restore's sandbox keeps the niceness zmsnap runs at");
        } finally {
            CliRun.Result u = CliRun.run(host.dir, "unmount", "-c", withRestore.toString());
            assertEquals(0, u.exit(), u.out() + u.err());
        }
    }

    @Test
    void aCopyMountedOnTheDrHostIsUnmountedWithTheDrConfig() throws Exception {
        CliRun.Result m = CliRun.run(host.dir, "mount", "-c", drCfg.toString(), "--source", "mbox1", "--snapshot", cleanTag);
        assertEquals(0, m.exit(), m.out() + m.err());
        assertTrue(sandbox().isPresent(), "mount keeps the sandbox running");
        // A DR host has no set of its own: unmount finds the session in the workdir whichever source it opened.
        CliRun.Result u = CliRun.run(host.dir, "unmount", "-c", drCfg.toString());
        assertEquals(0, u.exit(), u.out() + u.err());
        assertTrue(u.out().contains("unmounted " + cleanTag), u.out());
        assertNothingLeft();
        CliRun.Result again = CliRun.run(host.dir, "unmount", "-c", drCfg.toString());
        assertEquals(0, again.exit(), again.out() + again.err());
        assertEquals("nothing mounted", again.out().strip());
        CliRun.Result cleanup = CliRun.run(host.dir, "restore", "-c", drCfg.toString(), "--cleanup");
        assertEquals(0, cleanup.exit(), cleanup.out() + cleanup.err());
    }

    @Test
    void statusShowsTheNewestDrillPerSourceAndFailsWhenItFailedOrNeverRan() throws Exception {
        assertEquals(0, CliRun.run(host.dir, "verify", "-c", drCfg.toString(), "--source", "mbox1", "--snapshot", cleanTag).exit());
        assertEquals(1, CliRun.run(host.dir, "verify", "-c", drCfg.toString(), "--source", "mbox1", "--snapshot", faultyTag).exit());
        Path withSecond = host.dir.resolve("dr-status.yaml");
        Files.writeString(withSecond, Files.readString(drCfg) + "  mbox2:\n    datasets: [" + String.join(", ", host.pool.zimbraDatasets())
                + "]\n    root: " + dr.name() + "/mbox2\n    keep: { hourly: 10 }\n"
                + "verify:\n  schedule: \"0 30 4 * * ?\"\n");
        CliRun.Result r = CliRun.run(host.dir, "verify", "-c", withSecond.toString(), "--status", "--json");
        assertEquals(1, r.exit(), r.out() + r.err());
        JsonNode rows = JSON.readTree(r.out());
        assertEquals(2, rows.size(), r.out());
        JsonNode one = rows.get(0);
        assertEquals("source mbox1", one.get("source").asText());
        assertEquals("failed", one.get("state").asText(), one.toString());
        assertEquals(faultyTag, one.get("last_drill_set").asText());
        assertEquals(faultyTag, one.get("newest_set").asText());
        assertEquals("failed", one.get("last_result").asText());
        assertEquals(cleanTag, one.get("last_ok_set").asText());
        assertEquals(2 * 86400, one.get("stale_after_seconds").asLong(), "twice the daily schedule");
        assertTrue(one.get("age_seconds").asLong() < 600, one.toString());
        assertEquals(2, one.get("drilled_sets").size(), one.toString());
        JsonNode two = rows.get(1);
        assertEquals("never", two.get("state").asText(), two.toString());
        assertTrue(two.get("detail").asText().contains("do not exist on this host"), two.toString());

        CliRun.Result text = CliRun.run(host.dir, "verify", "-c", withSecond.toString(), "--status");
        assertEquals(1, text.exit(), text.err());
        assertTrue(text.out().lines().anyMatch(l -> l.startsWith("source mbox1") && l.contains(" failed ") && l.contains(faultyTag)), text.out());
        assertTrue(text.out().lines().anyMatch(l -> l.startsWith("source mbox2") && l.contains(" never ")), text.out());
        CliRun.Result usage = CliRun.run(host.dir, "verify", "-c", drCfg.toString(), "--status", "--snapshot", "latest");
        assertEquals(2, usage.exit(), usage.err());
        CliRun.Result none = CliRun.run(host.dir, "verify", "-c", drCfg.toString(), "--source", "mbox1");
        assertEquals(2, none.exit(), none.err());
        assertTrue(none.err().contains("--snapshot") && none.err().contains("--status"), none.err());
        assertNothingLeft();
    }

    @Test
    void statusOnBothSidesIsGreenOnlyWhereTheBackupIsProven() throws Exception {
        // The mailbox host: a fresh hourly set, but no zmsnapd answering and no drill of its own sets.
        Path mboxStatus = host.dir.resolve("mbox-status.yaml");
        Files.writeString(mboxStatus, Files.readString(mbox) + "metrics:\n  listen: 127.0.0.1:" + freePort() + "\n");
        CliRun.Result m = CliRun.run(host.dir, "status", "-c", mboxStatus.toString(), "--json");
        assertEquals(1, m.exit(), m.out() + m.err());
        JsonNode doc = JSON.readTree(m.out());
        assertEquals("bad", doc.get("overall").asText());
        assertEquals("bad", item(doc, "daemon", "zmsnapd").get("level").asText());
        assertTrue(item(doc, "daemon", "zmsnapd").get("why").asText().contains("is zmsnapd running?"), doc.toString());
        JsonNode hourly = item(doc, "policy", "hourly");
        assertEquals("ok", hourly.get("level").asText(), hourly.toString());
        assertEquals(faultyTag, hourly.get("newest").asText());
        assertEquals("yes", hourly.get("consistent").asText());
        assertEquals("bad", item(doc, "drill", "this host").get("level").asText(), "never drilled is not green");

        // The DR host with its zmsnapd running: the source is within its rpo, the newest drill found the planted faults.
        assertEquals(1, CliRun.run(host.dir, "verify", "-c", drCfg.toString(), "--source", "mbox1", "--snapshot", faultyTag).exit());
        Path daemonCfg = host.dir.resolve("dr-status-daemon.yaml");
        Files.writeString(daemonCfg, Files.readString(drCfg) + "metrics:\n  listen: 127.0.0.1:0\n");
        try (org.zmsnap.daemon.Daemon d = org.zmsnap.daemon.Daemon.start(ConfigLoader.load(daemonCfg), org.zmsnap.systemd.SdNotify.fromEnvironment())) {
            Path drStatus = host.dir.resolve("dr-status2.yaml");
            Files.writeString(drStatus, Files.readString(drCfg) + "metrics:\n  listen: 127.0.0.1:" + d.metricsPort() + "\n");
            CliRun.Result r = CliRun.run(host.dir, "status", "-c", drStatus.toString(), "--json");
            assertEquals(1, r.exit(), r.out() + r.err());
            JsonNode dr = JSON.readTree(r.out());
            assertEquals("ok", item(dr, "daemon", "zmsnapd").get("level").asText(), dr.toString());
            JsonNode source = item(dr, "source", "mbox1");
            assertEquals("ok", source.get("level").asText(), source.toString());
            assertEquals(faultyTag, source.get("newest").asText());
            JsonNode drill = item(dr, "drill", "source mbox1");
            assertEquals("bad", drill.get("level").asText(), drill.toString());
            assertTrue(drill.get("why").asText().contains("zmsnap verify --snapshot " + faultyTag), drill.toString());

            CliRun.Result text = CliRun.run(host.dir, "status", "-c", drStatus.toString());
            assertEquals(1, text.exit(), text.err());
            assertTrue(text.out().lines().anyMatch(l -> l.startsWith("source  mbox1") && l.contains(" ok ")), text.out());
            assertTrue(text.out().contains("overall: bad (1 to look at)"), text.out());
            assertFalse(text.out().contains("\u001b["), "no colour when stdout is not a terminal");
        }
    }

    private static JsonNode item(JsonNode doc, String section, String name) {
        for (JsonNode i : doc.get("items")) {
            if (i.get("section").asText().equals(section) && i.get("name").asText().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no " + section + " " + name + " in " + doc);
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void zmsnapdOnTheDrHostDrillsTheSourcesCopiesOnItsSchedule() throws Exception {
        Path daemonCfg = host.dir.resolve("dr-daemon.yaml");
        Files.writeString(daemonCfg, Files.readString(drCfg) + "metrics:\n  listen: 127.0.0.1:0\n"
                + "verify:\n  schedule: \"*/3 * * * * ?\"\n  sample: 0\n");
        org.zmsnap.config.Config cfg = ConfigLoader.load(daemonCfg);
        String body = "";
        try (org.zmsnap.daemon.Daemon d = org.zmsnap.daemon.Daemon.start(cfg, org.zmsnap.systemd.SdNotify.fromEnvironment())) {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.URI metrics = java.net.URI.create("http://127.0.0.1:" + d.metricsPort() + "/metrics");
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                body = http.send(java.net.http.HttpRequest.newBuilder(metrics).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                if (body.lines().anyMatch(l -> l.startsWith("zmsnap_verify_runs_total{") && l.contains("result=\"problems\"") && !l.endsWith(" 0.0"))) {
                    break;
                }
                Thread.sleep(500);
            }
        }
        String all = body;
        // The newest set is the faulty one: the lost blob is found by the size check of every drill.
        assertTrue(all.lines().anyMatch(l -> l.startsWith("zmsnap_verify_runs_total{") && l.contains("result=\"problems\"")
                && !l.endsWith(" 0.0")), all);
        assertTrue(all.lines().anyMatch(l -> l.startsWith("zmsnap_verify_problems{") && l.contains("kind=\"missing-blob\"")
                && l.endsWith(" 1.0")), all);
        for (String s : copySnapshots(faultyTag)) {
            assertTrue(verified(s).contains(" failed "), s + ": " + verified(s));
        }
        // Every DR-host and drill metric the Grafana dashboard queries is in this real scrape (and its health);
        // the mailbox host's are checked by DaemonIT.
        org.zmsnap.fixtures.GrafanaDashboard dashboard = org.zmsnap.fixtures.GrafanaDashboard.ofSourceTree();
        java.util.Set<String> missing = dashboard.missingFrom(all,
                n -> org.zmsnap.fixtures.GrafanaDashboard.drHostOrDrill(n) || n.equals("zmsnap_healthy"));
        assertEquals(java.util.Set.of(), missing, "docs/grafana-dashboard.json queries: " + dashboard.explain(missing));
        assertNothingLeft();
    }

    private Optional<ProcessHandle> sandbox() {
        return sandbox(drWork);
    }

    /** The sandbox mariadbd itself (not nice or ionice on their way to exec it) of a session under {@code workdir}. */
    private static Optional<ProcessHandle> sandbox(Path workdir) {
        return ProcessHandle.allProcesses().filter(p -> p.isAlive() && p.info().command().orElse("").endsWith("mariadbd")
                && p.info().commandLine().orElse("").contains(workdir.toString())).findFirst();
    }

    /** The niceness field of /proc/PID/stat (or /proc/PID/task/TID/stat). */
    private static int nice(Path stat) {
        try {
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(f[16]); // field 19 counted from pid; f[0] is field 3
        } catch (Exception e) {
            return Integer.MIN_VALUE;
        }
    }

    private void awaitReceiveVisible(Process receive) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ProcessHandle.of(receive.pid()).flatMap(h -> h.info().commandLine()).map(c -> !c.contains("receive")).orElse(true)) {
            assertTrue(receive.isAlive(), () -> "zfs receive ended: " + stderr(receive));
            assertTrue(System.nanoTime() < deadline, "zfs receive not visible");
            Thread.sleep(10);
        }
        Thread.sleep(200);
        assertTrue(receive.isAlive(), () -> "zfs receive ended: " + stderr(receive));
    }

    private static String stderr(Process p) {
        try {
            return new String(p.getErrorStream().readAllBytes());
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private List<String> snapshotsWithMarks() {
        List<String> out = new ArrayList<>();
        for (String s : dr.snapshots()) {
            out.add(s + " " + verified(s));
        }
        return out;
    }

    private void assertNothingLeft() throws Exception {
        String datasets = dr.zfs("list", "-H", "-o", "name", "-r", dr.name()).stdout();
        assertFalse(datasets.contains("zmsnap-restore-"), datasets);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (sandbox().isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(100); // a stopped sandbox may linger a moment as a zombie
        }
        assertTrue(sandbox().isEmpty(), "a sandbox mariadbd is still running");
        if (Files.isDirectory(drWork)) {
            try (Stream<Path> s = Files.list(drWork)) {
                assertEquals(List.of(), s.toList());
            }
        }
    }
}
