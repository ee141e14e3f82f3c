package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.zmsnap.AgentContext;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.zimbra.BlobPath;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.GeneratedMessage;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.snapshot.CycleOutcome;

/**
 * Restore drills against planted faults, with real zfs-fuse and mariadbd. One host, three sets: a clean one,
 * one with a fault of each blob and folder kind planted in the live datasets before its snapshot, and one
 * whose live InnoDB tablespace had pages overwritten (server stopped) before its snapshot. Each fault must be
 * found and named exactly, and nothing else reported; the snapshots are never written. Mailboxes 1 and 101 share
 * mboxgroup1 (read by one batched query), and 101 has faults of its own at item ids that mailbox 1 has too: each
 * problem must name the mailbox it is in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VerifyCliIT {
    static final ObjectMapper JSON = new ObjectMapper();

    SnapshotHost host;
    Path cfg;
    Path workdir;
    String cleanTag;
    String faultyTag;
    String brokenDbTag;
    String deadDbTag;
    GeneratedAccount a;
    GeneratedAccount b;
    /** Mailbox 101: the second mailbox of mboxgroup1, after {@code a}. */
    GeneratedAccount g;
    GeneratedMessage groupmateMissing;
    int groupmateOrphanFolder;
    GeneratedMessage plainFlip;
    GeneratedMessage gzipFlip;
    GeneratedMessage missing;
    GeneratedMessage truncated;
    GeneratedMessage unknownVolume;
    GeneratedMessage recent;
    long recentlyChanged;
    CliRun.Result faultyIncremental;
    int orphanFolder;
    CliRun.Result clean;
    CliRun.Result faulty;
    CliRun.Result faultyText;
    CliRun.Result brokenDb;
    CliRun.Result deadDb;

    @BeforeAll
    void plantAndVerify() throws Exception {
        host = new SnapshotHost();
        Path store = host.pool.mountpoint(host.pool.dataset("store"));
        try (Connection c = host.db.connect()) {
            var boxes = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(2, 60)).generate(c, store);
            a = boxes.accounts().get(0);
            b = boxes.accounts().get(1);
            g = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(1, 20).withFirstMailboxId(101).withSeed(7))
                    .generate(c, store).accounts().get(0);
        }
        assertEquals(a.groupId(), g.groupId(), "mailboxes 1 and 101 share a group");
        workdir = host.dir.resolve("restore");
        String restore = "restore:\n  workdir: " + workdir + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n";
        cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "") + restore);
        List<GeneratedMessage> plain = a.messages().stream().filter(m -> !m.gzipped()).toList();
        List<GeneratedMessage> gz = a.messages().stream().filter(GeneratedMessage::gzipped).toList();
        assertTrue(plain.size() >= 5 && !gz.isEmpty(), "the generator made " + plain.size() + " plain and " + gz.size() + " gzip blobs");
        plainFlip = plain.get(0);
        missing = plain.get(1);
        truncated = plain.get(2);
        unknownVolume = plain.get(3);
        recent = plain.get(4);
        gzipFlip = gz.get(0);
        // Long unchanged: an incremental check (sample 0) leaves their digests alone.
        host.sql("UPDATE mboxgroup" + a.groupId() + ".mail_item SET change_date = 1000000000 WHERE mailbox_id = " + a.mailboxId()
                + " AND id IN (" + plainFlip.id() + ", " + gzipFlip.id() + ")");
        cleanTag = snapshot(cfg);

        BlobPath paths = BlobPath.defaults(store);
        // Changed after the clean set (as a redelivery would): an incremental check digests it.
        flip(paths.of(a.mailboxId(), recent.id(), recent.modContent()));
        host.sql("UPDATE mboxgroup" + a.groupId() + ".mail_item SET change_date = UNIX_TIMESTAMP() WHERE mailbox_id = " + a.mailboxId()
                + " AND id = " + recent.id());
        flip(paths.of(a.mailboxId(), plainFlip.id(), plainFlip.modContent()));
        flip(paths.of(a.mailboxId(), gzipFlip.id(), gzipFlip.modContent()));
        Files.delete(paths.of(a.mailboxId(), missing.id(), missing.modContent()));
        Path t = paths.of(a.mailboxId(), truncated.id(), truncated.modContent());
        try (RandomAccessFile f = new RandomAccessFile(t.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        orphanFolder = b.folders().keySet().stream().filter(id -> id >= 256).sorted().findFirst().orElseThrow();
        // The groupmate's faults sit at item ids mailbox 1 has untouched: a problem put on the wrong mailbox shows.
        groupmateMissing = g.messages().stream().filter(m -> !m.gzipped())
                .filter(m -> a.messages().stream().anyMatch(x -> x.id() == m.id()))
                .filter(m -> List.of(plainFlip, gzipFlip, missing, truncated, unknownVolume, recent).stream().noneMatch(x -> x.id() == m.id()))
                .findFirst().orElseThrow();
        Files.delete(paths.of(g.mailboxId(), groupmateMissing.id(), groupmateMissing.modContent()));
        groupmateOrphanFolder = g.folders().keySet().stream().filter(id -> id >= 256).sorted().findFirst().orElseThrow();
        try (Connection c = host.db.connect(); Statement s = c.createStatement()) {
            s.execute("UPDATE mboxgroup" + a.groupId() + ".mail_item SET locator = '9' WHERE mailbox_id = " + a.mailboxId()
                    + " AND id = " + unknownVolume.id());
            s.execute("SET SESSION foreign_key_checks = 0");
            s.execute("UPDATE mboxgroup" + b.groupId() + ".mail_item SET parent_id = 99999 WHERE mailbox_id = " + b.mailboxId()
                    + " AND id = " + orphanFolder);
            s.execute("UPDATE mboxgroup" + g.groupId() + ".mail_item SET parent_id = 99998 WHERE mailbox_id = " + g.mailboxId()
                    + " AND id = " + groupmateOrphanFolder);
        }
        faultyTag = snapshot(cfg);
        // What an incremental check after the clean set digests: rows changed since it was taken (less the margin).
        Instant since = org.zmsnap.snapshot.SnapshotTag.parse(cleanTag).orElseThrow().time().minus(Duration.ofMinutes(10));
        try (Connection c = host.db.connect(); Statement s = c.createStatement()) {
            for (GeneratedAccount x : List.of(a, b, g)) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM mboxgroup" + x.groupId() + ".mail_item WHERE mailbox_id = "
                        + x.mailboxId() + " AND type IN (5, 8, 11, 15) AND (change_date IS NULL OR change_date >= " + since.getEpochSecond() + ")")) {
                    rs.next();
                    recentlyChanged += rs.getLong(1);
                }
            }
        }

        // A damaged tablespace: the live server stopped cleanly (so the clone needs no crash recovery, which
        // could repair pages from the doublewrite buffer), then every page after the header of a mail_item
        // table overwritten in the middle, then a set taken without a database lock.
        host.db.stop();
        Path ibd = host.pool.mountpoint(host.pool.dataset("db")).resolve("data").resolve("mboxgroup" + a.groupId()).resolve("mail_item.ibd");
        try (RandomAccessFile f = new RandomAccessFile(ibd.toFile(), "rw")) {
            for (long page = 1; page * 16384 < f.length(); page++) {
                f.seek(page * 16384 + 4000);
                f.write(new byte[64]);
                f.seek(page * 16384 + 4000);
                f.write("zmsnap planted this corruption".getBytes());
            }
        }
        Path noLock = host.dir.resolve("nolock.yaml");
        Files.writeString(noLock, host.yaml("none", "2s", "crash-consistent", "zfs", "") + restore);
        brokenDbTag = snapshot(noLock);
        // A redo log whose header is gone: InnoDB, and so mariadbd, refuses to start on the clone.
        Path redo = ibd.getParent().getParent().resolve("ib_logfile0");
        try (RandomAccessFile f = new RandomAccessFile(redo.toFile(), "rw")) {
            f.write(new byte[4096]);
        }
        deadDbTag = snapshot(noLock);

        clean = CliRun.run(host.dir, "verify", "-c", cfg.toString(), "--snapshot", cleanTag, "--json");
        faultyIncremental = CliRun.run(host.dir, "verify", "-c", cfg.toString(), "--snapshot", faultyTag, "--sample", "0", "--json");
        faulty = CliRun.run(host.dir, "verify", "-c", cfg.toString(), "--snapshot", faultyTag, "--full", "--json");
        faultyText = CliRun.run(host.dir, "verify", "-c", cfg.toString(), "--snapshot", faultyTag, "--full");
        brokenDb = CliRun.run(host.dir, "verify", "-c", cfg.toString(), "--snapshot", brokenDbTag, "--json");
        deadDb = CliRun.run(host.dir, "verify", "-c", cfg.toString(), "--snapshot", deadDbTag);
    }

    @AfterAll
    void close() {
        if (host != null) {
            host.close();
        }
    }

    private String snapshot(Path config) throws InterruptedException {
        Thread.sleep(1100); // tags are per second
        try (AgentContext ctx = new AgentContext(ConfigLoader.load(config))) {
            CycleOutcome o = ctx.snapshotCycle().run("manual");
            return ((CycleOutcome.Taken) o).report().tag().name();
        }
    }

    private static void flip(Path blob) throws Exception {
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x20;
        Files.write(blob, bytes);
    }

    private JsonNode json(CliRun.Result r) throws Exception {
        return JSON.readTree(r.out());
    }

    private List<JsonNode> problems(CliRun.Result r) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        json(r).get("problems").forEach(out::add);
        return out;
    }

    private JsonNode problemOf(int mailbox, int item) throws Exception {
        List<JsonNode> hits = problems(faulty).stream().filter(p -> p.get("mailbox").asInt() == mailbox && p.get("item").asInt() == item).toList();
        assertEquals(1, hits.size(), "problems of item " + item + " in mailbox " + mailbox + ": " + faulty.out() + faulty.err());
        return hits.get(0);
    }

    private void assertKind(GeneratedMessage m, String kind) throws Exception {
        JsonNode p = problemOf(a.mailboxId(), m.id());
        assertEquals(kind, p.get("kind").asText(), p.toString());
        assertEquals(a.email(), p.get("account").asText(), p.toString());
        assertEquals(a.folders().get(m.folderId()) == null ? "#" + m.folderId() : a.folders().get(m.folderId()), p.get("folder").asText());
    }

    @Test
    void aCleanSetPassesAndTheResultIsRecordedOnItsSnapshots() throws Exception {
        assertEquals(0, clean.exit(), clean.out() + clean.err());
        JsonNode j = json(clean);
        assertEquals(List.of(), problems(clean));
        assertEquals(3, j.get("mailboxes").asInt());
        long items = 0;
        for (GeneratedAccount x : List.of(a, b, g)) {
            items += x.messages().size() + x.documentIds().size();
        }
        assertEquals(items, j.get("items").asLong(), clean.out());
        // The first verify of the chain has nothing to be incremental to: every digest is checked.
        assertEquals("full", j.get("mode").asText());
        assertEquals(items, j.get("digests_checked").asLong());
        for (String snap : host.snapshots()) {
            if (snap.endsWith("@" + cleanTag)) {
                assertTrue(host.userProps(snap).getOrDefault("org.zmsnap:verified", "").matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z ok full"),
                        snap + ": " + host.userProps(snap));
            }
        }
        CliRun.Result list = CliRun.run(host.dir, "snapshots", "-c", cfg.toString());
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().lines().findFirst().orElseThrow().contains("VERIFIED"), list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith(cleanTag) && l.endsWith(" ok full")), list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith(faultyTag) && l.endsWith(" failed full")), list.out());
        assertNothingLeft();
    }

    @Test
    void aFlippedByteInAPlainBlobIsADigestMismatch() throws Exception {
        assertKind(plainFlip, "digest-mismatch");
    }

    @Test
    void aFlippedByteInAGzipBlobIsUnreadableGzip() throws Exception {
        assertKind(gzipFlip, "unreadable-gzip");
    }

    @Test
    void aDeletedBlobIsMissing() throws Exception {
        assertKind(missing, "missing-blob");
    }

    @Test
    void aTruncatedBlobIsASizeMismatch() throws Exception {
        assertKind(truncated, "size-mismatch");
    }

    @Test
    void aRowOnAnUnknownVolumeIsNamed() throws Exception {
        assertKind(unknownVolume, "unknown-volume");
        assertTrue(problemOf(a.mailboxId(), unknownVolume.id()).get("detail").asText().contains("volume 9"));
    }

    @Test
    void anOrphanedFolderIsFound() throws Exception {
        JsonNode p = problemOf(b.mailboxId(), orphanFolder);
        assertEquals("orphan-folder", p.get("kind").asText(), p.toString());
        assertTrue(p.get("detail").asText().contains("99999"), p.toString());
    }

    @Test
    void faultsOfTheSecondMailboxOfAGroupAreNamedForThatMailbox() throws Exception {
        JsonNode blob = problemOf(g.mailboxId(), groupmateMissing.id());
        assertEquals("missing-blob", blob.get("kind").asText(), blob.toString());
        assertEquals(g.email(), blob.get("account").asText(), blob.toString());
        assertEquals(g.folders().get(groupmateMissing.folderId()), blob.get("folder").asText(), "the path from the groupmate's own tree");
        JsonNode folder = problemOf(g.mailboxId(), groupmateOrphanFolder);
        assertEquals("orphan-folder", folder.get("kind").asText(), folder.toString());
        assertEquals(g.email(), folder.get("account").asText(), folder.toString());
        assertTrue(folder.get("detail").asText().contains("99998"), folder.toString());
        // The same item id in mailbox 1 is untouched and reported nowhere.
        assertTrue(problems(faulty).stream().noneMatch(p -> p.get("mailbox").asInt() == a.mailboxId()
                && p.get("item").asInt() == groupmateMissing.id()), faulty.out());
    }

    @Test
    void theFaultySetFailsWithExactlyThePlantedProblemsAndTheFailureIsRecorded() throws Exception {
        assertEquals(1, faulty.exit(), faulty.out() + faulty.err());
        Set<String> got = new TreeSet<>();
        for (JsonNode p : problems(faulty)) {
            got.add(p.get("mailbox").asInt() + "/" + p.get("item").asInt() + "/" + p.get("kind").asText());
        }
        Set<String> want = new TreeSet<>(Set.of(
                a.mailboxId() + "/" + plainFlip.id() + "/digest-mismatch",
                a.mailboxId() + "/" + gzipFlip.id() + "/unreadable-gzip",
                a.mailboxId() + "/" + missing.id() + "/missing-blob",
                a.mailboxId() + "/" + truncated.id() + "/size-mismatch",
                a.mailboxId() + "/" + unknownVolume.id() + "/unknown-volume",
                a.mailboxId() + "/" + recent.id() + "/digest-mismatch",
                b.mailboxId() + "/" + orphanFolder + "/orphan-folder",
                g.mailboxId() + "/" + groupmateMissing.id() + "/missing-blob",
                g.mailboxId() + "/" + groupmateOrphanFolder + "/orphan-folder"));
        assertEquals(want, got, "no false alarms on the untouched items");
        assertEquals("full", json(faulty).get("mode").asText());
        for (String snap : host.snapshots()) {
            if (snap.endsWith("@" + faultyTag)) {
                assertTrue(host.userProps(snap).getOrDefault("org.zmsnap:verified", "").endsWith(" failed full"), snap + ": " + host.userProps(snap));
            }
        }
        assertNothingLeft();
    }

    @Test
    void anIncrementalCheckDigestsWhatChangedSinceTheLastVerifiedSetAndSizesTheRest() throws Exception {
        assertEquals(1, faultyIncremental.exit(), faultyIncremental.out() + faultyIncremental.err());
        JsonNode j = json(faultyIncremental);
        assertEquals("incremental", j.get("mode").asText());
        assertTrue(j.get("mode_detail").asText().contains("since"), j.toString());
        assertEquals(recentlyChanged, j.get("digests_checked").asLong(), "sample 0: only the changed rows are digested");
        assertTrue(recentlyChanged < j.get("items").asLong(), recentlyChanged + " of " + j.get("items"));
        Set<String> got = new TreeSet<>();
        for (JsonNode p : problems(faultyIncremental)) {
            got.add(p.get("mailbox").asInt() + "/" + p.get("item").asInt() + "/" + p.get("kind").asText());
        }
        // Flipped bytes in unchanged blobs are what only a digest finds: left to the sample and the full check.
        assertEquals(new TreeSet<>(Set.of(
                a.mailboxId() + "/" + missing.id() + "/missing-blob",
                a.mailboxId() + "/" + truncated.id() + "/size-mismatch",
                a.mailboxId() + "/" + unknownVolume.id() + "/unknown-volume",
                a.mailboxId() + "/" + recent.id() + "/digest-mismatch",
                b.mailboxId() + "/" + orphanFolder + "/orphan-folder",
                g.mailboxId() + "/" + groupmateMissing.id() + "/missing-blob",
                g.mailboxId() + "/" + groupmateOrphanFolder + "/orphan-folder")), got);
    }

    @Test
    void theTextReportHasASummaryAndOneLinePerProblem() {
        assertEquals(1, faultyText.exit(), faultyText.out() + faultyText.err());
        List<String> lines = faultyText.out().lines().toList();
        assertTrue(lines.get(0).startsWith("FAILED " + faultyTag) && lines.get(0).contains("3 mailboxes")
                && lines.get(0).contains("digests checked") && lines.get(0).contains("mode full"), lines.get(0));
        assertEquals(9, lines.stream().filter(l -> l.startsWith("  ")).count(), faultyText.out());
        assertTrue(lines.stream().anyMatch(l -> l.contains("missing-blob") && l.contains("mailbox " + a.mailboxId() + " (" + a.email() + ")")
                && l.contains("item " + missing.id())), faultyText.out());
        assertTrue(lines.stream().anyMatch(l -> l.contains("missing-blob") && l.contains("mailbox " + g.mailboxId() + " (" + g.email() + ")")
                && l.contains("item " + groupmateMissing.id())), faultyText.out());
    }

    @Test
    void aCorruptTablespaceIsADatabaseErrorWithTheServersWordsNotAStackTrace() throws Exception {
        assertEquals(1, brokenDb.exit(), brokenDb.out() + brokenDb.err());
        List<JsonNode> ps = problems(brokenDb);
        assertFalse(ps.isEmpty());
        assertTrue(ps.stream().anyMatch(p -> p.get("kind").asText().equals("db-error")
                && p.get("detail").asText().contains("mboxgroup" + a.groupId())), brokenDb.out());
        // The set was taken after the faulty one: the orphaned folder of the other mailbox is still there (its
        // group is undamaged); the blob faults of the damaged group cannot be reached through its rows.
        assertTrue(ps.stream().allMatch(p -> p.get("kind").asText().equals("db-error")
                        || (p.get("mailbox").asInt() == b.mailboxId() && p.get("item").asInt() == orphanFolder)),
                "only the damaged mailbox group is affected: " + brokenDb.out());
        // Both mailboxes of the damaged group: its batched query failed, then each was read alone and named.
        for (GeneratedAccount x : List.of(a, g)) {
            assertTrue(ps.stream().anyMatch(p -> p.get("kind").asText().equals("db-error") && p.get("mailbox").asInt() == x.mailboxId()
                    && p.get("account").asText().equals(x.email())), brokenDb.out());
        }
        assertFalse((brokenDb.out() + brokenDb.err()).contains("\tat org."), "a stack trace: " + brokenDb.out() + brokenDb.err());
        System.out.println("corrupt tablespace report:\n" + brokenDb.out());
        assertNothingLeft();
    }

    @Test
    void aDatabaseThatWillNotStartIsADatabaseErrorWithTheErrorLogLines() throws Exception {
        assertEquals(1, deadDb.exit(), deadDb.out() + deadDb.err());
        List<String> problems = deadDb.out().lines().filter(l -> l.startsWith("  ")).toList();
        assertTrue(problems.size() == 1 && problems.get(0).contains("db-error") && problems.get(0).contains("mariadbd"), deadDb.out());
        assertTrue(deadDb.out().contains("[ERROR]"), "the mariadbd error log lines: " + deadDb.out());
        assertFalse((deadDb.out() + deadDb.err()).contains("\tat org."), "a stack trace: " + deadDb.out() + deadDb.err());
        System.out.println("dead database report:\n" + deadDb.out());
        for (String snap : host.snapshots()) {
            if (snap.endsWith("@" + deadDbTag)) {
                assertTrue(host.userProps(snap).getOrDefault("org.zmsnap:verified", "").contains(" failed "), snap + ": " + host.userProps(snap));
            }
        }
        assertNothingLeft();
    }

    @Test
    void sigtermMidVerifyLeavesNoCloneOrSandboxBehind() throws Exception {
        stopMidVerify("TERM");
    }

    /** Ctrl-C: the terminal sends SIGINT to the foreground process; the same shutdown hooks must clean up. */
    @Test
    void sigintMidVerifyLeavesNoCloneOrSandboxBehind() throws Exception {
        stopMidVerify("INT");
    }

    private void stopMidVerify(String signal) throws Exception {
        Path out = host.dir.resolve("sig" + signal + ".out");
        Process p = CliRun.start(out, "verify", "-c", cfg.toString(), "--snapshot", cleanTag, "--full");
        try {
            // A process started with SIGINT ignored (a background job of a shell without job control) keeps
            // ignoring it, and so does the JVM: then Ctrl-C cannot be simulated here at all.
            if (signal.equals("INT")) {
                org.junit.jupiter.api.Assumptions.assumeFalse(ignores(p.pid(), 2), "SIGINT is ignored in this test environment");
            }
            // The session directory appears before the clones and the sandbox: stop it while they exist.
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!sandboxRunning()) {
                assertTrue(p.isAlive(), "verify ended before it could be stopped: " + Files.readString(out));
                assertTrue(System.nanoTime() < deadline, "no sandbox within 60 s");
                Thread.sleep(5);
            }
            org.zmsnap.fixtures.Proc.run(Duration.ofSeconds(10), "kill", "-" + signal, Long.toString(p.pid()));
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "verify did not stop on SIG" + signal);
        } finally {
            p.destroyForcibly();
        }
        assertTrue(p.exitValue() != 0, "exit " + p.exitValue());
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (sandboxRunning() && System.nanoTime() < deadline) {
            Thread.sleep(100); // a killed sandbox may linger a moment as a zombie
        }
        assertNothingLeft();
        for (String snap : host.snapshots()) {
            if (snap.endsWith("@" + cleanTag)) {
                assertFalse(host.userProps(snap).getOrDefault("org.zmsnap:verified", "").contains("failed"),
                        "an interrupted verify records nothing: " + host.userProps(snap));
            }
        }
    }

    /** Whether {@code pid} ignores signal {@code sig} (the SigIgn mask in /proc/PID/status). */
    private static boolean ignores(long pid, int sig) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << (sig - 1))) != 0;
            }
        }
        return false;
    }

    private boolean sandboxRunning() {
        return ProcessHandle.allProcesses().anyMatch(p -> p.isAlive() && p.info().commandLine().orElse("").contains(workdir.toString()));
    }

    @Test
    void badInputIsAUsageErrorAndOpensNothing() throws Exception {
        CliRun.Result r = CliRun.run(host.dir, "verify", "-c", cfg.toString(), "--snapshot", "zmsnap_manual_2001-01-01T00:00:00Z");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("unknown snapshot"), r.err());
        r = CliRun.run(host.dir, "verify", "-c", cfg.toString(), "--snapshot", "latest", "--sample", "2");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--sample"), r.err());
        r = CliRun.run(host.dir, "verify", "-c", cfg.toString(), "--snapshot", "latest", "--target", "nope");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("no targets are configured"), r.err());
        assertNothingLeft();
    }

    private void assertNothingLeft() throws Exception {
        String datasets = host.pool.zfs("list", "-H", "-o", "name", "-r", host.pool.name()).stdout();
        assertFalse(datasets.contains("zmsnap-restore-"), datasets);
        assertFalse(ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").contains(workdir.toString())),
                "a sandbox mariadbd is still running");
        if (Files.isDirectory(workdir)) {
            try (Stream<Path> s = Files.list(workdir)) {
                assertEquals(List.of(), s.toList());
            }
        }
    }
}
