package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.ImapServer;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.imap.FetchedMessage;
import org.zmsnap.fixtures.zimbra.BlobPath;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.ContactVcfCheck;
import org.zmsnap.fixtures.zimbra.GeneratedContact;
import org.zmsnap.fixtures.zimbra.VcfReader;
import org.zmsnap.fixtures.zimbra.GeneratedMailboxes;
import org.zmsnap.fixtures.zimbra.GeneratedMessage;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.snapshot.CycleOutcome;

/**
 * The support call, end to end with real zfs-fuse, mariadbd and Dovecot: a generated mailbox is snapshotted,
 * messages and a folder are deleted in the live database (rows and blobs), and zmsnap restores them from the
 * snapshot into the account over IMAP and into files; what arrives is compared byte for byte. One host serves every
 * step; each step is a test of its own, in the order of the call.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreCliIT {
    static final ObjectMapper JSON = new ObjectMapper();

    // One host for the whole support call; each step is its own test, so one failure does not hide the others. The
    // order is the call's: the one-shot restore first, while its message is still missing from INBOX.
    private SnapshotHost host;
    private ImapServer imap;
    private Path store;
    private GeneratedAccount acct;
    private String email;
    private String nonAscii;
    private String nested;
    private List<GeneratedMessage> nestedMessages;
    private GeneratedMessage corrupt;
    private GeneratedMessage lone;
    private List<GeneratedMessage> inFolder;
    private List<GeneratedMessage> gone;
    private Path workdir;
    private Path cfg;
    private Path badCfg;
    private String tag;

    @BeforeAll
    void aSnapshotThenDeletionsInTheLiveMailbox() throws Exception {
        host = new SnapshotHost();
        store = host.pool.mountpoint(host.pool.dataset("store"));
        GeneratedMailboxes boxes;
        try (Connection c = host.db.connect()) {
            boxes = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(2, 80)).generate(c, store);
        }
        acct = boxes.accounts().get(0);
        email = acct.email();
        // A blob damaged before the snapshot: restore must report it, not pass it on silently.
        // A nested non-ASCII leaf folder with messages: deleted below, restored recursively.
        // Sorted: folders() is an immutable map whose iteration order changes from JVM to JVM.
        nonAscii = acct.folders().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .filter(e -> e.getValue().startsWith("/Inbox/"))
                .filter(e -> e.getValue().chars().anyMatch(ch -> ch > 127) && e.getValue().split("/").length >= 3)
                .filter(e -> acct.folders().values().stream().noneMatch(p -> p.startsWith(e.getValue() + "/")))
                .filter(e -> acct.messages().stream().anyMatch(m -> m.folderId() == e.getKey()))
                .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new AssertionError("no nested non-ASCII folder: " + acct.folders()));
        int nonAsciiId = acct.folderId(nonAscii);
        // A folder with nested non-ASCII subfolders, restored recursively over IMAP below.
        nested = "/Inbox/Проекты";
        nestedMessages = acct.messages().stream()
                .filter(m -> acct.folders().get(m.folderId()).startsWith(nested + "/") || acct.folders().get(m.folderId()).equals(nested))
                .toList();
        assertTrue(nestedMessages.stream().anyMatch(m -> acct.folders().get(m.folderId()).split("/").length > 3),
                "nothing in the subfolders of " + nested);
        corrupt = acct.messages().stream().filter(m -> !m.gzipped() && m.folderId() != nonAsciiId && m.folderId() != 2
                && m.folderId() != 3 && m.folderId() != 4 && !nestedMessages.contains(m)).findFirst().orElseThrow();
        Path corruptBlob = BlobPath.defaults(store).of(acct.mailboxId(), corrupt.id(), corrupt.modContent());
        byte[] cb = Files.readAllBytes(corruptBlob);
        cb[cb.length - 3] ^= 0x20;
        Files.write(corruptBlob, cb);

        Path imapParent = Files.createDirectories(Path.of("/tmp/zmsnap-restore-it"));
        Files.setPosixFilePermissions(imapParent, PosixFilePermissions.fromString("rwxr-xr-x"));
        imap = ImapServer.start(imapParent, Map.of(email, "userpw1"), "admin", "adminpw1");
        Path pw = host.dir.resolve("imap.pw");
        Files.writeString(pw, "adminpw1\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        Path badPw = host.dir.resolve("bad.pw");
        Files.writeString(badPw, "wrong\n");
        Files.setPosixFilePermissions(badPw, PosixFilePermissions.fromString("rw-------"));
        workdir = host.dir.resolve("restore");
        String base = host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "");
        String restoreSection = "restore:\n  workdir: " + workdir + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n"
                + "  imap: { host: 127.0.0.1, port: " + imap.port() + ", tls: none, admin-user: admin, admin-password-file: %s }\n";
        cfg = host.writeConfig(base + restoreSection.formatted(pw));
        badCfg = host.dir.resolve("bad.yaml");
        Files.writeString(badCfg, base + restoreSection.formatted(badPw));

        try (AgentContext ctx = new AgentContext(ConfigLoader.load(cfg))) {
            CycleOutcome o = ctx.snapshotCycle().run("manual");
            tag = ((CycleOutcome.Taken) o).report().tag().name();
        }

        // Delete in the live mailbox as Zimbra would: rows, then blobs.
        lone = acct.messages().stream().filter(m -> m.folderId() == 2 && m != corrupt).findFirst().orElseThrow();
        int folderId = acct.folderId(nonAscii);
        inFolder = acct.messages().stream().filter(m -> m.folderId() == folderId).toList();
        gone = new ArrayList<>(inFolder);
        gone.add(lone);
        try (Connection c = host.db.connect(); Statement s = c.createStatement()) {
            for (GeneratedMessage m : gone) {
                s.execute("DELETE FROM mboxgroup" + acct.groupId() + ".mail_item WHERE mailbox_id = " + acct.mailboxId() + " AND id = " + m.id());
                Files.delete(BlobPath.defaults(store).of(acct.mailboxId(), m.id(), m.modContent()));
            }
            s.execute("DELETE FROM mboxgroup" + acct.groupId() + ".mail_item WHERE mailbox_id = " + acct.mailboxId() + " AND id = " + folderId);
        }
    }

    @AfterAll
    void cleanUp() throws Exception {
        try {
            if (cfg != null) {
                // --cleanup keeps a session 'mount' kept on purpose: a failure after the mount needs the unmount too.
                CliRun.run(host.dir, "unmount", "-c", cfg.toString());
                CliRun.run(host.dir, "restore", "-c", cfg.toString(), "--cleanup");
            }
        } finally {
            try {
                if (imap != null) {
                    imap.close();
                }
            } finally {
                if (host != null) {
                    host.close();
                }
            }
        }
    }

    @Test
    @Order(1)
    void badInputIsRefusedWithExitTwoOrOneAndOpensNothing() throws Exception {
        CliRun.Result r = CliRun.run(host.dir, "restore", "item", "-c", cfg.toString(), "--snapshot", "zmsnap_manual_2001-01-01T00:00:00Z",
                "--account", email, "--item", "1", "--to-imap");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("unknown snapshot"), r.err());
        String typo = email.replaceFirst("@", "x@");
        r = CliRun.run(host.dir, "browse", "-c", cfg.toString(), "--snapshot", "latest", "--account", typo);
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("did you mean") && r.err().contains(email), r.err());
        r = CliRun.run(host.dir, "restore", "folder", "-c", cfg.toString(), "--snapshot", tag, "--account", email,
                "--folder", "/No/Such", "--to-imap");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("no folder"), r.err());
        r = CliRun.run(host.dir, "restore", "item", "-c", badCfg.toString(), "--snapshot", tag, "--account", email,
                "--item", Integer.toString(lone.id()), "--to-imap");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("refused"), r.err());
        assertEquals(List.of("INBOX"), imap.listFolders(email), "nothing created in the live mailbox");
        assertNothingLeft(host, workdir);
    }

    @Test
    @Order(2)
    void oneMessageComesBackByteForByteInOneCommand() throws Exception {
        // One-shot: one message back, byte for byte, with flags and date.
        CliRun.Result r = CliRun.run(host.dir, "restore", "item", "-c", cfg.toString(), "--snapshot", "latest", "--account", email,
                "--item", Integer.toString(lone.id()), "--to-imap", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(1, j.get("restored").asInt());
        System.out.println("one message: clone " + j.get("clone_ms") + " ms, mariadbd " + j.get("mariadbd_start_ms") + " ms");
        assertSame(List.of(lone), imap.fetchAll(email, "INBOX").stream().filter(f -> sha(f.raw()).equals(lone.digest())).toList());
        assertNothingLeft(host, workdir);
    }

    @Test
    @Order(3)
    void aKeptSessionBrowsesTheFoldersAndTheDeletedMessages() throws Exception {
        // A kept session for the rest.
        CliRun.Result r = CliRun.run(host.dir, "mount", "-c", cfg.toString(), "--snapshot", tag, "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode mount = JSON.readTree(r.out());
        System.out.println("mount: clone " + mount.get("clone_ms") + " ms, mariadbd " + mount.get("mariadbd_start_ms") + " ms");

        r = CliRun.run(host.dir, "browse", "-c", cfg.toString(), "--snapshot", tag, "--account", email, "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode tree = JSON.readTree(r.out());
        boolean listed = false;
        for (JsonNode f : tree.get("folders")) {
            if (f.get("path").asText().equals(nonAscii)) {
                listed = true;
                assertTrue(f.get("messages").asInt() >= inFolder.size());
            }
        }
        assertTrue(listed, r.out());
        r = CliRun.run(host.dir, "browse", "-c", cfg.toString(), "--snapshot", tag, "--account", email, "--deleted", "--json");
        assertEquals(0, r.exit(), r.err());
        Set<Integer> deletedIds = new HashSet<>();
        JSON.readTree(r.out()).get("messages").forEach(m -> deletedIds.add(m.get("id").asInt()));
        Set<Integer> expectedDeleted = new HashSet<>();
        gone.forEach(m -> expectedDeleted.add(m.id()));
        assertEquals(expectedDeleted, deletedIds);
    }

    @Test
    @Order(4)
    void aDeletedFolderComesBackRecursivelyAndARerunMakesNoDuplicates() throws Exception {
        // The deleted folder, recursively, non-ASCII name, into IMAP; then again: no duplicates.
        CliRun.Result r = CliRun.run(host.dir, "restore", "folder", "-c", cfg.toString(), "--snapshot", tag, "--account", email,
                "--folder", nonAscii, "--recursive", "--to-imap", "--json");
        assertEquals(0, r.exit(), r.err());
        String imapFolder = "INBOX" + nonAscii.substring("/Inbox".length());
        List<FetchedMessage> fetched = imap.fetchAll(email, imapFolder);
        assertSame(inFolder, fetched);
        r = CliRun.run(host.dir, "restore", "folder", "-c", cfg.toString(), "--snapshot", tag, "--account", email,
                "--folder", nonAscii, "--recursive", "--to-imap", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(0, j.get("restored").asInt(), r.out());
        assertEquals(fetched.size(), imap.fetchAll(email, imapFolder).size(), "a rerun creates no duplicates");
    }

    @Test
    @Order(5)
    void nestedNonAsciiFoldersComeBackUnderARestoreFolder() throws Exception {
        // A folder with nested non-ASCII subfolders, recursively, under a non-ASCII restore folder: every
        // level recreated, every message byte for byte with flags and date.
        CliRun.Result r = CliRun.run(host.dir, "restore", "folder", "-c", cfg.toString(), "--snapshot", tag, "--account", email,
                "--folder", nested, "--recursive", "--to-imap", "--into-folder", "Wiederhergestellt Ω", "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals(nestedMessages.size(), JSON.readTree(r.out()).get("restored").asInt(), r.out());
        Set<Integer> nestedFolders = new HashSet<>();
        nestedMessages.forEach(m -> nestedFolders.add(m.folderId()));
        for (int fid : nestedFolders) {
            String path = acct.folders().get(fid);
            assertSame(nestedMessages.stream().filter(m -> m.folderId() == fid).toList(),
                    imap.fetchAll(email, "Wiederhergestellt Ω" + path));
        }
    }

    @Test
    @Order(6)
    void aWholeMailboxComesBackWithoutTrashAndJunkAndTheDamagedBlobIsReported() throws Exception {
        // Whole mailbox under a restore folder: every message (Trash/Junk excluded), the corrupt one reported.
        CliRun.Result r = CliRun.run(host.dir, "restore", "mailbox", "-c", cfg.toString(), "--snapshot", tag, "--account", email,
                "--to-imap", "--into-folder", "Restored", "--json");
        JsonNode j = JSON.readTree(r.out());
        assertEquals(0, r.exit(), r.err());
        assertEquals(1, j.get("digest_mismatches").size(), r.out());
        assertTrue(j.get("digest_mismatches").get(0).asText().contains("message " + corrupt.id()), r.out());
        assertTrue(j.get("gzip_blobs").asInt() > 0, r.out());
        assertTrue(j.get("not_messages").asInt() > 0 && j.get("not_message_items").toString().contains("contact"), r.out());
        // IMAP cannot take them: the contacts were written as files, under the workdir without --to-dir
        Path itemsDir = Path.of(j.get("files_dir").asText());
        assertTrue(itemsDir.startsWith(workdir.resolve("items")), r.out());
        GeneratedContact someContact = acct.contacts().get(0);
        assertContact(someContact, itemsDir.resolve(acct.folders().get(someContact.folderId()).substring(1)).resolve(someContact.id() + ".vcf"));
        List<GeneratedMessage> expectedAll = acct.messages().stream().filter(m -> m.folderId() != 3 && m.folderId() != 4).toList();
        assertEquals(expectedAll.size(), j.get("restored").asInt(), r.out());
        int total = 0;
        for (String f : imap.listFolders(email)) {
            if (f.startsWith("Restored/")) {
                List<FetchedMessage> fm = imap.fetchAll(email, f);
                total += fm.size();
            }
        }
        assertEquals(expectedAll.size(), total);
        // --strict makes the damaged blob a failure.
        r = CliRun.run(host.dir, "restore", "item", "-c", cfg.toString(), "--snapshot", tag, "--account", email,
                "--item", Integer.toString(corrupt.id()), "--to-dir", host.dir.resolve("strict").toString(), "--strict");
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("digest mismatch"), r.out());
    }

    @Test
    @Order(7)
    void deletedMessagesAlreadyBackAreSkippedNotDuplicated() throws Exception {
        // --deleted into IMAP: the one-shot and the folder restore above put them back, so all are skipped and none
        // duplicated; should one of those have failed, what it left out is restored here, still exactly once.
        CliRun.Result r = CliRun.run(host.dir, "restore", "mailbox", "-c", cfg.toString(), "--snapshot", tag, "--account", email,
                "--deleted", "--to-imap", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(gone.size(), j.get("skipped_present").asInt() + j.get("restored").asInt(), r.out());
        assertEquals(1, imap.fetchAll(email, "INBOX").stream().filter(f -> sha(f.raw()).equals(lone.digest())).count());
        assertEquals(0, j.get("restored").asInt(), "already back before: " + r.out());
    }

    @Test
    @Order(8)
    void aFolderGoesToEmlMaildirAndMboxFiles() throws Exception {
        // Files: eml equal to the original bytes; maildir with flags; mbox with From_ lines.
        Path eml = host.dir.resolve("eml");
        CliRun.Result r = CliRun.run(host.dir, "restore", "folder", "-c", cfg.toString(), "--snapshot", tag, "--account", email,
                "--folder", nonAscii, "--to-dir", eml.toString(), "--format", "eml");
        assertEquals(0, r.exit(), r.err());
        // Not a terminal: plain progress lines on stderr (no bar, no carriage returns), the last one complete.
        assertTrue(r.err().lines().anyMatch(l -> l.equals("restore: " + inFolder.size() + "/" + inFolder.size())), r.err());
        assertFalse(r.err().contains("\r"), r.err());
        for (GeneratedMessage m : inFolder) {
            Path f = eml.resolve(nonAscii.substring(1)).resolve(m.id() + ".eml");
            assertEquals(m.digest(), sha(Files.readAllBytes(f)), f.toString());
        }
        Path md = host.dir.resolve("maildir");
        r = CliRun.run(host.dir, "restore", "folder", "-c", cfg.toString(), "--snapshot", tag, "--account", email,
                "--folder", nonAscii, "--to-dir", md.toString(), "--format", "maildir");
        assertEquals(0, r.exit(), r.err());
        Path mdf = md.resolve(nonAscii.substring(1));
        for (String sub : List.of("cur", "new", "tmp")) {
            assertTrue(Files.isDirectory(mdf.resolve(sub)));
        }
        try (Stream<Path> cur = Files.list(mdf.resolve("cur")); Stream<Path> nw = Files.list(mdf.resolve("new"))) {
            List<Path> all = Stream.concat(cur, nw).toList();
            assertEquals(inFolder.size(), all.size());
            for (GeneratedMessage m : inFolder) {
                Path f = all.stream().filter(p -> p.getFileName().toString().contains(".zmsnap-" + m.id() + ".")).findFirst().orElseThrow();
                assertEquals(m.digest(), sha(Files.readAllBytes(f)));
                assertEquals(!m.unread(), f.getFileName().toString().matches(".*:2,[A-Z]*S[A-Z]*$"), f.toString());
            }
        }
        Path mbox = host.dir.resolve("mbox");
        r = CliRun.run(host.dir, "restore", "folder", "-c", cfg.toString(), "--snapshot", tag, "--account", email,
                "--folder", nonAscii, "--to-dir", mbox.toString(), "--format", "mbox");
        assertEquals(0, r.exit(), r.err());
        String[] parts = nonAscii.substring(1).split("/");
        Path mboxFile = mbox.resolve(String.join("/", List.of(parts).subList(0, parts.length - 1))).resolve(parts[parts.length - 1] + ".mbox");
        String text = Files.readString(mboxFile, StandardCharsets.ISO_8859_1);
        assertEquals(inFolder.size(), text.split("(?m)^From MAILER-DAEMON ", -1).length - 1);
    }

    @Test
    @Order(9)
    void contactsBecomeVCardsWithEveryField() throws Exception {
        // Contacts: a vCard per contact, read back and compared field by field with what was generated.
        List<GeneratedContact> inContacts = acct.contacts().stream().filter(k -> k.folderId() == 7).toList();
        assertFalse(inContacts.isEmpty());
        Path vcf = host.dir.resolve("vcf");
        CliRun.Result r = CliRun.run(host.dir, "restore", "folder", "-c", cfg.toString(), "--snapshot", tag, "--account", email,
                "--folder", "/Contacts", "--to-dir", vcf.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals(inContacts.size(), JSON.readTree(r.out()).get("restored").asInt(), r.out());
        for (GeneratedContact k : inContacts) {
            assertContact(k, vcf.resolve("Contacts").resolve(k.id() + ".vcf"));
        }
        Path mdv = host.dir.resolve("maildir-vcf");
        r = CliRun.run(host.dir, "restore", "mailbox", "-c", cfg.toString(), "--snapshot", tag, "--account", email,
                "--to-dir", mdv.toString(), "--format", "maildir", "--json");
        assertEquals(0, r.exit(), r.err());
        for (GeneratedContact k : acct.contacts()) {
            assertContact(k, mdv.resolve("files").resolve(acct.folders().get(k.folderId()).substring(1)).resolve(k.id() + ".vcf"));
        }
    }

    @Test
    @Order(10)
    void unmountLeavesNothingBehind() throws Exception {
        CliRun.Result r = CliRun.run(host.dir, "unmount", "-c", cfg.toString());
        assertEquals(0, r.exit(), r.err());
        assertNothingLeft(host, workdir);
    }

    /** The fetched messages are exactly {@code expected}: bytes (by digest), flags and internal dates. */
    private static void assertSame(List<GeneratedMessage> expected, List<FetchedMessage> fetched) {
        assertEquals(expected.size(), fetched.size());
        for (GeneratedMessage m : expected) {
            FetchedMessage f = fetched.stream().filter(x -> sha(x.raw()).equals(m.digest())).findFirst()
                    .orElseThrow(() -> new AssertionError("message " + m.id() + " not restored byte for byte"));
            assertEquals(m.dateSeconds(), f.internalDate().getEpochSecond(), "internal date of " + m.id());
            Set<String> flags = new HashSet<>();
            if (!m.unread()) {
                flags.add("\\Seen");
            }
            if ((m.flags() & 4) != 0) {
                flags.add("\\Answered");
            }
            if ((m.flags() & 32) != 0) {
                flags.add("\\Flagged");
            }
            if ((m.flags() & 64) != 0) {
                flags.add("\\Draft");
            }
            assertEquals(flags, f.flags(), "flags of " + m.id());
        }
    }

    /**
     * The .vcf, read back with the fixtures' own reader (not the product's ez-vcard), holds every field the generator
     * put into the contact's metadata where it belongs, and no line is over 75 octets.
     */
    private static void assertContact(GeneratedContact k, Path file) throws Exception {
        assertTrue(Files.isRegularFile(file), file + " missing");
        String text = Files.readString(file, StandardCharsets.UTF_8);
        for (String physical : text.split("\r\n")) {
            assertTrue(physical.getBytes(StandardCharsets.UTF_8).length <= 75, physical);
        }
        assertEquals(List.of("3.0"), VcfReader.read(text).stream().filter(p -> p.name().equals("VERSION")).map(VcfReader.Prop::raw).toList());
        assertEquals(List.of(), ContactVcfCheck.mismatches(k.fields(), text), text);
    }

    private static void assertNothingLeft(SnapshotHost host, Path workdir) throws Exception {
        String datasets = host.pool.zfs("list", "-H", "-o", "name", "-r", host.pool.name()).stdout();
        assertFalse(datasets.contains("zmsnap-restore-"), datasets);
        assertFalse(ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").contains(workdir.toString())),
                "a sandbox mariadbd is still running");
        if (Files.isDirectory(workdir)) {
            try (Stream<Path> s = Files.list(workdir)) {
                // items/: the files a --to-imap restore wrote for what IMAP cannot take; they are output, not leftovers
                assertEquals(List.of(), s.filter(p -> !p.getFileName().toString().equals("items")).toList());
            }
        }
        assertTrue(host.snapshots().stream().noneMatch(x -> x.contains("zmsnap-restore")));
    }

    static String sha(byte[] b) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(b)).replace('/', ',');
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
