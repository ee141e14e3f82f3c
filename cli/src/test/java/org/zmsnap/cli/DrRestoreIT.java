package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.SshHost;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.GeneratedMessage;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SnapshotCycle;

/**
 * Restore from the DR copies. A mailbox is snapshotted and replicated over a real sshd (through the restricted
 * receiver) into a second pool. From the mailbox host, {@code --target} lists what the target has and refuses to
 * restore across hosts, changing nothing. Then the mailbox host is lost (its pool destroyed) and, on the "DR
 * host", the same config's {@code --target} and a config listing the received copies restore from them; the
 * messages come back byte for byte and the DR snapshots are untouched. Each step is a test of its own, in that
 * order, on the one pair of pools.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrRestoreIT {
    static final Path ROOT = Path.of(System.getProperty("zmsnap.project.root", ".."));
    static final ObjectMapper JSON = new ObjectMapper();

    private ZfsPool dr;
    private SshHost ssh;
    private SnapshotHost host;
    private Path drDir;
    private String drRoot;
    private GeneratedAccount acct;
    private String folder;
    private List<GeneratedMessage> subtree;
    private String targets;
    private Path primaryWork;
    private Path cfg;
    private String replicated;
    private String notReplicated;
    private String drSnapshotsBefore;
    private List<String> primaryDatasets;
    private Path drWork;
    private String drHostBase;

    @BeforeAll
    void aSetReplicatedThroughServeAndOneNot() throws Exception {
        dr = ZfsPool.createEmpty("zdr", "2G");
        drDir = Files.createTempDirectory("zmsnap-dr-it-");
        ssh = SshHost.startTemporary();
        host = new SnapshotHost();
        drRoot = dr.name() + "/mbox1";
        ssh.authorize("command=\"" + ROOT.resolve("bin/zmsnap").toAbsolutePath().normalize() + " serve --root " + drRoot + "\",restrict");
        Path store = host.pool.mountpoint(host.pool.dataset("store"));
        try (Connection c = host.db.connect()) {
            acct = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(1, 90)).generate(c, store).accounts().get(0);
        }
        folder = "/Inbox/Проекты";
        subtree = acct.messages().stream()
                .filter(m -> acct.folders().get(m.folderId()).equals(folder) || acct.folders().get(m.folderId()).startsWith(folder + "/"))
                .toList();
        assertTrue(subtree.stream().anyMatch(m -> !acct.folders().get(m.folderId()).equals(folder)),
                "the generator put nothing below " + folder + ": " + acct.folders());

        targets = "targets:\n"
                + "  dr1:\n    type: zfs\n    host: 127.0.0.1\n    port: " + ssh.port() + "\n    user: root\n"
                + "    identity: " + ssh.clientKey() + "\n    known-hosts: " + ssh.knownHosts() + "\n    root: " + drRoot + "\n"
                + "    command-timeout: 30s\n"
                + "  drlocal:\n    type: zfs\n    host: local\n    root: " + drRoot + "\n"
                + "  offsite:\n    type: rsync\n    host: 127.0.0.1\n    port: " + ssh.port() + "\n    user: root\n"
                + "    identity: " + ssh.clientKey() + "\n    known-hosts: " + ssh.knownHosts() + "\n    path: /srv/zmsnap/mbox1\n";
        primaryWork = host.dir.resolve("restore");
        cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 50 }\n" + targets
                + "restore:\n  workdir: " + primaryWork + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n");
        replicated = takeSet(cfg, Instant.parse("2026-11-22T11:00:00Z"));
        CliRun.Result r = CliRun.run(host.dir, "replicate", "-c", cfg.toString(), "--target", "dr1");
        assertEquals(0, r.exit(), r.err() + r.out());
        notReplicated = takeSet(cfg, Instant.parse("2026-11-22T12:00:00Z"));
        drSnapshotsBefore = guids(dr);
        assertTrue(drSnapshotsBefore.contains("@" + replicated) && !drSnapshotsBefore.contains("@" + notReplicated), drSnapshotsBefore);
        primaryDatasets = host.pool.zimbraDatasets();
        drWork = drDir.resolve("restore");
        drHostBase = "host: dr\nlock-file: " + drDir.resolve("cycle.lock") + "\nmariadb:\n  quiesce: none\n"
                + "zfs:\n  command: zfs\n  timeout: 30s\npolicies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 50 }\n"
                + "restore:\n  workdir: " + drWork + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n";
    }

    @AfterAll
    void cleanUp() throws Exception {
        try {
            if (host != null) {
                host.close();
            }
            if (ssh != null) {
                ssh.close();
            }
        } finally {
            if (dr != null) {
                dr.close();
            }
            if (drDir != null) {
                deleteTree(drDir);
            }
        }
    }

    /** The mailbox host is lost (its pool destroyed). What remains: the DR pool, and a copy of the host's config on the DR host. */
    private Path loseTheMailboxHost() throws Exception {
        if (host != null) {
            host.close();
            host = null;
        }
        Path copied = drDir.resolve("copied.yaml");
        Files.writeString(copied, drHostBase + "datasets:\n" + primaryDatasets.stream().map(d -> "  - " + d + "\n").reduce("", String::concat) + targets);
        return copied;
    }

    @Test
    @Order(1)
    void fromTheMailboxHostTheTargetIsListedAndARestoreRefusedWithNothingMade() throws Exception {
        // From the mailbox host: usage errors, the target's own snapshot list, a refusal; nothing made anywhere.
        CliRun.Result r = CliRun.run(host.dir, "browse", "-c", cfg.toString(), "--target", "nosuch", "--snapshot", "latest", "--account", acct.email());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("unknown target 'nosuch'") && r.err().contains("dr1, drlocal, offsite"), r.err());
        r = CliRun.run(host.dir, "restore", "item", "-c", cfg.toString(), "--target", "offsite", "--snapshot", "latest",
                "--account", acct.email(), "--item", "300", "--to-dir", host.dir.resolve("x").toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("rsync target") && r.err().contains("browse the copied files directly"), r.err());
        r = CliRun.run(host.dir, "browse", "-c", cfg.toString(), "--target", "dr1", "--snapshot", notReplicated, "--account", acct.email());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("target dr1: unknown snapshot '" + notReplicated + "'") && r.err().contains(replicated), r.err());
        Path refusedOut = host.dir.resolve("refused");
        r = CliRun.run(host.dir, "restore", "folder", "-c", cfg.toString(), "--target", "dr1", "--snapshot", "latest",
                "--account", acct.email(), "--folder", folder, "--recursive", "--to-dir", refusedOut.toString());
        assertEquals(2, r.exit(), r.err());
        // latest *on the target* is the replicated set, not this host's newest
        assertTrue(r.err().contains("target dr1 has " + replicated) && r.err().contains("Run the same zmsnap command on 127.0.0.1"), r.err());
        r = CliRun.run(host.dir, "mount", "-c", cfg.toString(), "--target", "dr1", "--snapshot", replicated);
        assertEquals(2, r.exit(), r.err());
        assertFalse(Files.exists(refusedOut), "a refused restore writes nothing");
        assertNoClones(host.pool);
        assertNoClones(dr);
        assertEmptyOrAbsent(primaryWork);
    }

    @Test
    @Order(2)
    void aLocalTargetsCopiesAreClonedAndRestoredHere() throws Exception {
        // The same copies through a 'host: local' target (a DR pool on this host): cloned and restored here,
        // mapped through the source datasets' own mountpoints.
        GeneratedMessage first = subtree.get(0);
        Path viaLocal = host.dir.resolve("via-local");
        CliRun.Result r = CliRun.run(host.dir, "restore", "item", "-c", cfg.toString(), "--target", "drlocal", "--snapshot", "latest",
                "--account", acct.email(), "--item", Integer.toString(first.id()), "--to-dir", viaLocal.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("from " + replicated + " on target drlocal"), r.out());
        assertEquals(first.digest(), RestoreCliIT.sha(Files.readAllBytes(
                viaLocal.resolve(acct.folders().get(first.folderId()).substring(1)).resolve(first.id() + ".eml"))));
        assertNoClones(host.pool);
        assertNoClones(dr);
        assertEmptyOrAbsent(primaryWork);
    }

    @Test
    @Order(3)
    void afterTheLossTheDrHostBrowsesTheCopiesThroughTheCopiedConfig() throws Exception {
        Path copied = loseTheMailboxHost();
        CliRun.Result r = CliRun.run(drDir, "browse", "-c", copied.toString(), "--target", "dr1", "--snapshot", "latest", "--account", acct.email(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode tree = JSON.readTree(r.out());
        assertEquals(replicated, tree.get("snapshot").asText());
        assertEquals("target dr1 (" + drRoot + " on this host)", tree.get("source").asText());
        Set<String> paths = new HashSet<>();
        tree.get("folders").forEach(f -> paths.add(f.get("path").asText()));
        assertTrue(paths.containsAll(List.of(folder, folder + "/2024", folder + "/2024/Q3 Отчёты")), paths.toString());
    }

    @Test
    @Order(4)
    void byTimeTheNewestCopyAtOrBeforeItComesBackByteForByte() throws Exception {
        Path copied = loseTheMailboxHost();
        // By time: the newest set at or before it, chosen from the DR snapshot names alone.
        Path eml = drDir.resolve("eml");
        CliRun.Result r = CliRun.run(drDir, "restore", "folder", "-c", copied.toString(), "--target", "dr1", "--snapshot", "2026-11-22T11:30:00Z",
                "--account", acct.email(), "--folder", folder, "--recursive", "--to-dir", eml.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(subtree.size(), j.get("restored").asInt(), r.out());
        assertEquals(0, j.get("digest_mismatches").size(), r.out());
        for (GeneratedMessage m : subtree) {
            Path f = eml.resolve(acct.folders().get(m.folderId()).substring(1)).resolve(m.id() + ".eml");
            assertEquals(m.digest(), RestoreCliIT.sha(Files.readAllBytes(f)), f.toString());
        }
        try (Stream<Path> s = Files.walk(eml)) {
            assertEquals(subtree.size(), s.filter(p -> p.toString().endsWith(".eml")).count());
        }
    }

    @Test
    @Order(5)
    void aDrHostsOwnConfigOverTheCopiesRestoresAnItem() throws Exception {
        loseTheMailboxHost();
        // A config whose datasets are the received copies, as a DR host's own zmsnap would have.
        Path own = drDir.resolve("own.yaml");
        List<String> copies = new ArrayList<>();
        for (String d : primaryDatasets) {
            copies.add(drRoot + d.substring(d.indexOf('/')));
        }
        Files.writeString(own, drHostBase + "datasets:\n" + copies.stream().map(d -> "  - " + d + "\n").reduce("", String::concat));
        GeneratedMessage one = subtree.get(subtree.size() - 1);
        Path item = drDir.resolve("item");
        CliRun.Result r = CliRun.run(drDir, "restore", "item", "-c", own.toString(), "--snapshot", replicated, "--account", acct.email(),
                "--item", Integer.toString(one.id()), "--to-dir", item.toString());
        assertEquals(0, r.exit(), r.err());
        Path f = item.resolve(acct.folders().get(one.folderId()).substring(1)).resolve(one.id() + ".eml");
        assertEquals(one.digest(), RestoreCliIT.sha(Files.readAllBytes(f)));
    }

    @Test
    @Order(6)
    void theDrHostKeepsNothingAndItsSnapshotsAreUntouched() throws Exception {
        loseTheMailboxHost();
        assertNoClones(dr);
        assertEmptyOrAbsent(drWork);
        assertFalse(ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").contains(drWork.toString())),
                "a sandbox mariadbd is still running");
        assertEquals(drSnapshotsBefore, guids(dr), "the DR snapshots are untouched");
    }

    private static String takeSet(Path cfgFile, Instant at) {
        Config cfg = ConfigLoader.load(cfgFile);
        try (AgentContext ctx = new AgentContext(cfg)) {
            CycleOutcome o = new SnapshotCycle(cfg, ctx.zfs(), ctx.quiescer(), Clock.fixed(at, ZoneOffset.UTC)).run("hourly");
            return assertInstanceOf(CycleOutcome.Taken.class, o, o.toString()).report().tag().name();
        }
    }

    private static void assertNoClones(ZfsPool pool) {
        String datasets = pool.zfs("list", "-H", "-o", "name", "-r", pool.name()).stdout();
        assertFalse(datasets.contains("zmsnap-restore-"), datasets);
    }

    private static void assertEmptyOrAbsent(Path dir) throws Exception {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(List.of(), s.toList());
            }
        }
    }

    private static String guids(ZfsPool pool) {
        return pool.zfs("list", "-H", "-t", "snapshot", "-o", "name,guid", "-r", pool.name()).stdout();
    }

    private static void deleteTree(Path root) throws Exception {
        if (Files.exists(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
