package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.ImapServer;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.imap.FetchedMessage;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.GeneratedMessage;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.snapshot.CycleOutcome;

/**
 * Ctrl-C in the middle of a whole-mailbox restore into IMAP, sent to {@code bin/zmsnap} run as an admin runs
 * it: the command exits non-zero, its shutdown hook stops the sandbox mariadbd and destroys the clones, and
 * the live mailbox holds only complete messages (each byte for byte one of the originals).
 */
class RestoreInterruptIT {
    static final Path ROOT = Path.of(System.getProperty("zmsnap.project.root", ".."));
    private static final Duration WAIT = Duration.ofSeconds(180);

    @Test
    void sigintMidRestoreLeavesNothingBehindAndOnlyWholeMessages() throws Exception {
        // Large enough that delivery is still under way when the signal lands, even with a much faster IMAP path.
        try (SnapshotHost host = new SnapshotHost("4G")) {
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            GeneratedAccount acct;
            try (Connection c = host.db.connect()) {
                acct = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(1, 3000)).generate(c, store).accounts().get(0);
            }
            List<GeneratedMessage> wanted = acct.messages().stream().filter(m -> m.folderId() != 3 && m.folderId() != 4).toList();
            Set<String> digests = new HashSet<>();
            wanted.forEach(m -> digests.add(m.digest()));
            Path imapParent = Files.createDirectories(Path.of("/tmp/zmsnap-restore-it"));
            Files.setPosixFilePermissions(imapParent, PosixFilePermissions.fromString("rwxr-xr-x"));
            try (ImapServer imap = ImapServer.start(imapParent, Map.of(acct.email(), "userpw1"), "admin", "adminpw1")) {
                Path pw = host.dir.resolve("imap.pw");
                Files.writeString(pw, "adminpw1\n");
                Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
                Path workdir = host.dir.resolve("restore");
                Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                        + "restore:\n  workdir: " + workdir + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n"
                        + "  imap: { host: 127.0.0.1, port: " + imap.port() + ", tls: none, admin-user: admin, admin-password-file: " + pw + " }\n");
                try (AgentContext ctx = new AgentContext(ConfigLoader.load(cfg))) {
                    assertTrue(ctx.snapshotCycle().run("manual") instanceof CycleOutcome.Taken);
                }

                Path out = host.dir.resolve("interrupted.out");
                Path err = host.dir.resolve("interrupted.err");
                // env --default-signal: a test runner started in the background may hand down SIGINT ignored,
                // and a JVM that starts with SIGINT ignored never runs its hooks on it.
                Process p = new ProcessBuilder("env", "--default-signal=INT", ROOT.resolve("bin/zmsnap").toAbsolutePath().normalize().toString(),
                        "restore", "mailbox", "-c", cfg.toString(), "--snapshot", "latest", "--account", acct.email(),
                        "--to-imap", "--into-folder", "Interrupted")
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                try {
                    // Plain progress lines (stderr is not a terminal) say when delivery is under way.
                    long deadline = System.nanoTime() + WAIT.toNanos();
                    while (!Files.readString(err, StandardCharsets.UTF_8).contains("restore: 100/")) {
                        assertTrue(p.isAlive(), "the restore ended before it could be interrupted: " + Files.readString(err));
                        assertTrue(System.nanoTime() < deadline, "no progress within " + WAIT + ": " + Files.readString(err));
                        Thread.sleep(10);
                    }
                    Proc.run(Duration.ofSeconds(10), "kill", "-INT", Long.toString(p.pid())).orThrow();
                    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "zmsnap did not stop on SIGINT");
                } finally {
                    p.destroyForcibly();
                }
                String stderr = Files.readString(err, StandardCharsets.UTF_8);
                assertNotEquals(0, p.exitValue(), stderr);
                assertFalse(stderr.contains("restore: " + wanted.size() + "/" + wanted.size()), "it finished before the interrupt: " + stderr);

                // The hook ran to completion before the JVM exited; a killed sandbox may linger a moment as a zombie.
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (sandboxRunning(workdir) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertFalse(sandboxRunning(workdir), "a sandbox mariadbd is still running");
                String datasets = host.pool.zfs("list", "-H", "-o", "name", "-r", host.pool.name()).stdout();
                assertFalse(datasets.contains("zmsnap-restore-"), datasets);
                if (Files.isDirectory(workdir)) {
                    try (Stream<Path> s = Files.list(workdir)) {
                        // items/ holds what IMAP cannot take (contacts, ...) written as files: output, not a session
                        assertEquals(List.of(), s.filter(x -> !x.getFileName().toString().equals("items")).toList(),
                                "the session directory is left");
                    }
                }

                int delivered = 0;
                for (String folder : imap.listFolders(acct.email())) {
                    if (folder.startsWith("Interrupted/")) {
                        for (FetchedMessage m : imap.fetchAll(acct.email(), folder)) {
                            assertTrue(digests.contains(RestoreCliIT.sha(m.raw())), "a partial or foreign message in " + folder);
                            delivered++;
                        }
                    }
                }
                assertTrue(delivered > 0 && delivered < wanted.size(), delivered + " of " + wanted.size() + " delivered");
                System.out.println("interrupted after " + delivered + " of " + wanted.size() + " messages, exit " + p.exitValue());
            }
        }
    }

    private static boolean sandboxRunning(Path workdir) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .anyMatch(p -> p.info().commandLine().orElse("").contains(workdir.toString()));
    }
}
