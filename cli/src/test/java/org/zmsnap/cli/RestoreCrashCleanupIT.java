package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.zmsnap.AgentContext;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.GeneratedMailboxes;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.restore.session.RestoreSession;
import org.zmsnap.snapshot.CycleOutcome;

/**
 * A one-shot restore killed with SIGKILL after it has cloned the set and started its sandbox mariadbd leaves
 * both behind (no shutdown hook runs); {@code zmsnap restore --cleanup} must remove them, and the session
 * directory, without touching the snapshot the clones came from.
 */
class RestoreCrashCleanupIT {
    private static final Duration WAIT = Duration.ofSeconds(120);

    /** What the session file says when cleanup reads it. */
    enum OnFile {
        /** as the killed restore left it */
        AS_LEFT,
        /**
         * no sandbox pid: what it says when the kill lands between the sandbox's launch and the saving of its pid (a
         * window of a few ms that a test cannot hit on purpose), so cleanup must find the server by its command line
         */
        NO_SANDBOX_PID,
        /**
         * the owner's pid now another live process's (pid 1, after a crash and a reboot): cleanup must see, by the start
         * time on file, that the session's owner is gone
         */
        OWNER_PID_REUSED
    }

    @ParameterizedTest(name = "session file: {0}")
    @EnumSource(OnFile.class)
    void cleanupRemovesWhatAKilledRestoreLeftAndKeepsTheSnapshot(OnFile onFile) throws Exception {
        try (SnapshotHost host = new SnapshotHost()) {
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            GeneratedMailboxes boxes;
            try (Connection c = host.db.connect()) {
                boxes = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(1, 20)).generate(c, store);
            }
            GeneratedAccount acct = boxes.accounts().get(0);
            assertTrue(acct.messages().stream().anyMatch(m -> m.folderId() == 2), "the generator put nothing in Inbox");
            Path workdir = host.dir.resolve("restore");
            Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                    + "restore:\n  workdir: " + workdir + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n");
            String tag;
            try (AgentContext ctx = new AgentContext(ConfigLoader.load(cfg))) {
                tag = ((CycleOutcome.Taken) ctx.snapshotCycle().run("manual")).report().tag().name();
            }
            String snapshotsBefore = snapshotGuids(host);
            assertTrue(snapshotsBefore.contains("@" + tag), snapshotsBefore);

            // The mbox target opens <dir>/Inbox.mbox for writing only after the snapshot is open and the first blob
            // read. Making that file a FIFO with no reader blocks the restore exactly there, so the kill lands
            // with clones and sandbox in place, without relying on timing.
            Path out = Files.createDirectories(host.dir.resolve("mbox-out"));
            Proc.run(Duration.ofSeconds(10), "mkfifo", out.resolve("Inbox.mbox").toString()).orThrow();
            Process restore = CliRun.start(host.dir.resolve("killed-restore.out"), "restore", "folder", "-c", cfg.toString(),
                    "--snapshot", tag, "--account", acct.email(), "--folder", "/Inbox", "--to-dir", out.toString(),
                    "--format", "mbox");

            // Kill only once the session file records the running sandbox: the opener writes its pid after the
            // server accepts connections, and a kill before that is a different (narrower) crash window.
            long deadline = System.nanoTime() + WAIT.toNanos();
            Optional<ProcessHandle> sandbox = Optional.empty();
            while (System.nanoTime() < deadline && (sandbox.isEmpty() || restoreClones(host).isEmpty())) {
                assertTrue(restore.isAlive(), "the restore ended before it could be killed: "
                        + Files.readString(host.dir.resolve("killed-restore.out.err")));
                sandbox = recordedSandbox(workdir);
                Thread.sleep(200);
            }
            assertEquals(sandbox.map(ProcessHandle::pid), sandboxProcess(workdir).map(ProcessHandle::pid),
                    "the recorded pid is the mariadbd running on the session's datadir");
            List<String> clones = restoreClones(host);
            assertTrue(sandbox.isPresent() && !clones.isEmpty(), "no clones or sandbox mariadbd within " + WAIT + ": " + clones);
            // One clone per snapshotted dataset: a cleanup that only finds some of them would still pass below otherwise.
            assertEquals(host.pool.zimbraDatasets().size(), clones.size(), clones.toString());

            restore.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
            assertTrue(restore.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, restore.exitValue(), "killed by SIGKILL");
            // The sandbox is not the restore's child in any way that dies with it: it is what cleanup must stop.
            assertTrue(sandbox.get().isAlive(), "the sandbox mariadbd died with the restore; nothing left to clean up");
            assertEquals(clones, restoreClones(host), "the clones outlive the killed restore");
            try (Stream<Path> s = Files.list(workdir)) {
                assertFalse(s.toList().isEmpty(), "the killed restore left its session directory");
            }
            if (onFile != OnFile.AS_LEFT) {
                try (Stream<Path> s = Files.list(workdir)) {
                    Path dir = s.filter(d -> Files.isRegularFile(d.resolve(RestoreSession.FILE))).findFirst().orElseThrow();
                    RestoreSession session = RestoreSession.load(dir);
                    if (onFile == OnFile.NO_SANDBOX_PID) {
                        session.withServer(0).save(dir);
                        assertEquals(Optional.empty(), recordedSandbox(workdir));
                    } else {
                        new RestoreSession(session.id(), session.tag(), 1, session.ownerStarted(), session.serverPid(), session.clones(),
                                session.remap(), session.datadir(), session.source()).save(dir);
                    }
                }
            }

            CliRun.Result r = CliRun.run(host.dir, "restore", "-c", cfg.toString(), "--cleanup");
            assertEquals(0, r.exit(), r.out() + r.err());
            assertTrue(r.out().contains("removed 1 restore sessions"), r.out());

            assertEquals(List.of(), restoreClones(host));
            assertTrue(sandbox.get().onExit().get(30, TimeUnit.SECONDS) != null);
            assertFalse(sandboxProcess(workdir).isPresent(), "a sandbox mariadbd still runs");
            try (Stream<Path> s = Files.list(workdir)) {
                assertEquals(List.of(), s.toList());
            }
            // Same snapshots with the same GUIDs: cleanup destroyed clones, never their origin.
            assertEquals(snapshotsBefore, snapshotGuids(host));

            // And a second cleanup finds nothing: it is safe to run any time.
            r = CliRun.run(host.dir, "restore", "-c", cfg.toString(), "--cleanup");
            assertEquals(0, r.exit(), r.out() + r.err());
            assertTrue(r.out().contains("removed 0 restore sessions and 0 stray clones"), r.out());
        }
    }

    @Test
    void aRestoreKilledWhileItsSandboxStartsIsCleanedUpToo() throws Exception {
        // InnoDB recovery on a real Zimbra database can take minutes: the sandbox's pid must be on file from the
        // moment it exists. A mariadbd wrapper that waits before starting holds the restore in that window.
        try (SnapshotHost host = new SnapshotHost()) {
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            GeneratedMailboxes boxes;
            try (Connection c = host.db.connect()) {
                boxes = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(1, 5)).generate(c, store);
            }
            Path slow = host.dir.resolve("slow-mariadbd");
            Files.writeString(slow, "#!/bin/bash\nsleep 120\nexec /usr/sbin/mariadbd \"$@\"\n");
            Files.setPosixFilePermissions(slow, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path workdir = host.dir.resolve("restore");
            Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                    + "restore:\n  workdir: " + workdir + "\n  mariadbd: " + slow + "\n  datadir: data\n");
            String tag;
            try (AgentContext ctx = new AgentContext(ConfigLoader.load(cfg))) {
                tag = ((CycleOutcome.Taken) ctx.snapshotCycle().run("manual")).report().tag().name();
            }
            Process restore = CliRun.start(host.dir.resolve("starting.out"), "browse", "-c", cfg.toString(),
                    "--snapshot", tag, "--account", boxes.accounts().get(0).email());
            long deadline = System.nanoTime() + WAIT.toNanos();
            Optional<ProcessHandle> starting = Optional.empty();
            while (System.nanoTime() < deadline && starting.isEmpty()) {
                starting = recordedSandbox(workdir);
                Thread.sleep(100);
            }
            assertTrue(starting.isPresent(), "the starting sandbox's pid was never recorded");
            assertEquals(host.pool.zimbraDatasets().size(), restoreClones(host).size());
            restore.destroyForcibly();
            assertTrue(restore.waitFor(30, TimeUnit.SECONDS));

            CliRun.Result r = CliRun.run(host.dir, "restore", "-c", cfg.toString(), "--cleanup");
            assertEquals(0, r.exit(), r.out() + r.err());
            assertEquals(List.of(), restoreClones(host));
            assertTrue(starting.get().onExit().get(30, TimeUnit.SECONDS) != null, "the starting sandbox was stopped");
            Thread.sleep(500);
            assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").equals("sleep 120")),
                    "the wrapper's child was stopped with it");
        }
    }

    private static List<String> restoreClones(SnapshotHost host) {
        return host.pool.zfs("list", "-H", "-o", "name", "-r", host.pool.name()).stdout().lines()
                .filter(n -> n.contains("/zmsnap-restore-")).sorted().toList();
    }

    private static String snapshotGuids(SnapshotHost host) {
        return host.pool.zfs("list", "-H", "-t", "snapshot", "-o", "name,guid", "-r", host.pool.name()).stdout();
    }

    /** The sandbox pid the session file records, once it is there (0 while mariadbd starts). */
    private static Optional<ProcessHandle> recordedSandbox(Path workdir) throws Exception {
        if (!Files.isDirectory(workdir)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(workdir)) {
            return s.filter(d -> Files.isRegularFile(d.resolve(RestoreSession.FILE)))
                    .map(d -> RestoreSession.load(d).serverPid()).filter(pid -> pid > 0)
                    .findFirst().flatMap(ProcessHandle::of);
        }
    }

    /** The sandbox is the mariadbd whose datadir/socket are under this test's restore workdir. */
    private static Optional<ProcessHandle> sandboxProcess(Path workdir) {
        return ProcessHandle.allProcesses().filter(p -> p.info().command().orElse("").contains("mariadbd"))
                .filter(p -> p.info().commandLine().orElse("").contains(workdir.toString())).findFirst();
    }
}
