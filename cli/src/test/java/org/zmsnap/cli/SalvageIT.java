package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.ImapServer;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.imap.FetchedMessage;
import org.zmsnap.fixtures.zimbra.BlobPath;
import org.zmsnap.fixtures.zimbra.Flags;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.GeneratedMailboxes;
import org.zmsnap.fixtures.zimbra.GeneratedMessage;
import org.zmsnap.fixtures.zimbra.MailboxAdditions;
import org.zmsnap.fixtures.zimbra.MessageKind;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.salvage.SalvageExporter;
import org.zmsnap.salvage.SalvageReport;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SnapshotSet;

/**
 * The failback salvage with real zfs-fuse, mariadbd and Dovecot: set A, then mail the DR copy never got (messages in
 * several folders with flags, tags and dates, a gzipped one, a draft; a contact, an appointment, a document; on two
 * accounts) plus changes that are not new items (flags, a delete), then set B; the export holds exactly the new items,
 * byte for byte, and {@code restore --from-salvage} puts the messages into IMAP, once.
 */
class SalvageIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void exportsOnlyTheNewItemsAndRedeliversThemIntoImapOnce() throws Exception {
        try (SnapshotHost host = new SnapshotHost()) {
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            GeneratedMailboxes boxes;
            try (Connection c = host.db.connect()) {
                boxes = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(2, 30)).generate(c, store);
            }
            GeneratedAccount anna = boxes.accounts().get(0);
            GeneratedAccount bob = boxes.accounts().get(1);
            Path imapParent = Files.createDirectories(Path.of("/tmp/zmsnap-salvage-it"));
            Files.setPosixFilePermissions(imapParent, PosixFilePermissions.fromString("rwxr-xr-x"));
            try (ImapServer imap = ImapServer.start(imapParent, Map.of(anna.email(), "pw-a", bob.email(), "pw-b"), "admin", "adminpw1")) {
                Path pw = host.dir.resolve("imap.pw");
                Files.writeString(pw, "adminpw1\n");
                Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
                Path workdir = host.dir.resolve("restore");
                Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                        + "restore:\n  workdir: " + workdir + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n"
                        + "  imap: { host: 127.0.0.1, port: " + imap.port() + ", tls: none, admin-user: admin, admin-password-file: " + pw + " }\n");
                try {
                    String tagA = take(cfg, "manual");

                    // After A: what the DR copy never got.
                    long now = Instant.now().getEpochSecond();
                    int projects = anna.folderId("/Inbox/Проекты");
                    List<GeneratedMessage> newMessages = new ArrayList<>();
                    MailboxAdditions.Added contact;
                    MailboxAdditions.Added appointment;
                    MailboxAdditions.Added document;
                    GeneratedMessage changed = anna.messages().stream().filter(m -> m.folderId() == 2 && m.unread()).findFirst().orElseThrow();
                    GeneratedMessage deleted = anna.messages().stream().filter(m -> m.folderId() == 2 && m != changed).findFirst().orElseThrow();
                    try (Connection c = host.db.connect()) {
                        MailboxAdditions a = new MailboxAdditions(c, store, anna, 11);
                        newMessages.add(a.message(2, MessageKind.PLAIN, 0, true, List.of(), now - 300));
                        newMessages.add(a.message(projects, MessageKind.EIGHT_BIT, Flags.FLAGGED | Flags.REPLIED, false, List.of("work"), now - 200));
                        newMessages.add(a.message(5, MessageKind.LARGE, Flags.FROM_ME | Flags.ATTACHED, false, List.of(), now - 100));
                        newMessages.add(a.message(6, MessageKind.ALTERNATIVE, Flags.FROM_ME | Flags.DRAFT, false, List.of(), now - 50));
                        contact = a.contact(Map.of("firstName", "Jörg", "lastName", "Salvage", "email", "joerg@example.org"), now - 40);
                        appointment = a.appointment("Besprechung Ω", now + 86_400);
                        document = a.document("Plan 2027.txt", "Zeile\n".repeat(2000).getBytes(StandardCharsets.UTF_8), now - 30);
                        newMessages.add(new MailboxAdditions(c, store, bob, 12).message(2, MessageKind.MIXED, 0, true, List.of(), now - 20));
                        // Changes to items A already has: not salvaged.
                        try (Statement s = c.createStatement()) {
                            s.execute("UPDATE mboxgroup" + anna.groupId() + ".mail_item SET unread = 0, flags = flags | 32 WHERE mailbox_id = "
                                    + anna.mailboxId() + " AND id = " + changed.id());
                            s.execute("DELETE FROM mboxgroup" + anna.groupId() + ".mail_item WHERE mailbox_id = " + anna.mailboxId() + " AND id = " + deleted.id());
                        }
                        Files.delete(BlobPath.defaults(store).of(anna.mailboxId(), deleted.id(), deleted.modContent()));
                    }
                    Thread.sleep(1100); // tags have one-second resolution
                    String tagB = take(cfg, "salvage");
                    assertTrue(tagB.startsWith("zmsnap_salvage_"), tagB);

                    Path dir = host.dir.resolve("salvage");
                    SalvageReport report;
                    try (AgentContext ctx = new AgentContext(ConfigLoader.load(cfg))) {
                        RestoreService rs = new RestoreService(ctx);
                        SnapshotSet a = rs.choose(tagA);
                        SnapshotSet b = rs.choose(tagB);
                        report = new SalvageExporter(ctx).export(a, b, dir);
                    }
                    assertEquals(5, report.messages(), report.toString());
                    assertEquals(1, report.contacts());
                    assertEquals(1, report.appointments());
                    assertEquals(1, report.documents());
                    assertEquals(8, report.items());
                    assertEquals(dir.resolve("manifest.json"), report.manifest());
                    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)), "other people's mail");
                    assertNothingLeft(host, workdir);

                    JsonNode manifest = JSON.readTree(dir.resolve("manifest.json").toFile());
                    assertEquals(tagA, manifest.get("base").asText());
                    assertEquals(tagB, manifest.get("newer").asText());
                    Map<Integer, JsonNode> byId = new HashMap<>();
                    manifest.get("items").forEach(i -> byId.put(i.get("item_id").asInt(), i));
                    Set<Integer> expectedIds = new HashSet<>();
                    newMessages.forEach(m -> expectedIds.add(m.id()));
                    expectedIds.addAll(List.of(contact.id(), appointment.id(), document.id()));
                    assertEquals(expectedIds, byId.keySet(), "exactly the new items (not the changed " + changed.id()
                            + "; the deleted " + deleted.id() + " is gone)");
                    long total = 0;
                    for (GeneratedMessage m : newMessages) {
                        JsonNode j = byId.get(m.id());
                        GeneratedAccount acct = m == newMessages.get(newMessages.size() - 1) ? bob : anna;
                        assertEquals(acct.email(), j.get("account").asText());
                        assertEquals(acct.accountId().toString(), j.get("zimbra_id").asText());
                        assertEquals(acct.mailboxId(), j.get("mailbox_id").asInt());
                        assertEquals("message", j.get("type").asText());
                        assertEquals(acct.folders().get(m.folderId()), j.get("folder").asText());
                        assertEquals(imapFlags(m), texts(j.get("flags")), "flags of " + m.id());
                        assertEquals(m.tags(), texts(j.get("tags")));
                        assertEquals(Instant.ofEpochSecond(m.dateSeconds()).toString(), j.get("date").asText());
                        byte[] file = Files.readAllBytes(dir.resolve(j.get("file").asText()));
                        assertEquals(m.digest(), RestoreCliIT.sha(file), "the file is the (decompressed) blob of " + m.id());
                        assertEquals(m.size(), j.get("size").asLong());
                        assertTrue(j.get("file").asText().startsWith(acct.email() + acct.folders().get(m.folderId()) + "/"), j.toString());
                        total += file.length;
                    }
                    assertTrue(newMessages.stream().anyMatch(GeneratedMessage::gzipped), "a gzipped blob is among them");
                    JsonNode ics = byId.get(appointment.id());
                    assertEquals("appointment", ics.get("type").asText());
                    assertEquals("ics", ics.get("format").asText());
                    assertEquals("/Calendar", ics.get("folder").asText());
                    assertArrayEquals(appointment.content(), Files.readAllBytes(dir.resolve(ics.get("file").asText())));
                    JsonNode doc = byId.get(document.id());
                    assertEquals(anna.email() + "/Briefcase/" + document.id() + "-Plan 2027.txt", doc.get("file").asText());
                    assertArrayEquals(document.content(), Files.readAllBytes(dir.resolve(doc.get("file").asText())));
                    JsonNode vcf = byId.get(contact.id());
                    String card = Files.readString(dir.resolve(vcf.get("file").asText()), StandardCharsets.UTF_8);
                    assertTrue(card.contains("FN:Jörg Salvage") && card.contains("joerg@example.org"), card);
                    assertEquals("vcf", vcf.get("format").asText());
                    assertEquals(0, manifest.get("problems").size(), manifest.get("problems").toString());
                    for (JsonNode j : byId.values()) {
                        assertEquals(RestoreCliIT.sha(Files.readAllBytes(dir.resolve(j.get("file").asText()))).length(), 44);
                        assertEquals(j.get("sha256").asText(), hex(Files.readAllBytes(dir.resolve(j.get("file").asText()))));
                    }
                    assertTrue(total > 0);

                    // A rerun into the same directory: the same files, the same manifest.
                    byte[] first = Files.readAllBytes(dir.resolve("manifest.json"));
                    try (AgentContext ctx = new AgentContext(ConfigLoader.load(cfg))) {
                        RestoreService rs = new RestoreService(ctx);
                        new SalvageExporter(ctx).export(rs.choose(tagA), rs.choose(tagB), dir);
                    }
                    assertArrayEquals(first, Files.readAllBytes(dir.resolve("manifest.json")));
                    assertNothingLeft(host, workdir);

                    // Bad input: exit 2, nothing created in IMAP.
                    CliRun.Result r = CliRun.run(host.dir, "restore", "-c", cfg.toString(), "--from-salvage", dir.toString());
                    assertEquals(2, r.exit(), r.err());
                    assertTrue(r.err().contains("--to-imap"), r.err());
                    Path empty = Files.createDirectories(host.dir.resolve("not-a-salvage"));
                    r = CliRun.run(host.dir, "restore", "-c", cfg.toString(), "--from-salvage", empty.toString(), "--to-imap");
                    assertEquals(2, r.exit(), r.err());
                    assertTrue(r.err().contains("no manifest.json"), r.err());
                    Path foreign = copy(dir, host.dir.resolve("foreign"));
                    Files.writeString(foreign.resolve("manifest.json"), Files.readString(foreign.resolve("manifest.json"))
                            .replace(bob.accountId().toString(), "00000000-0000-0000-0000-00000000dead"));
                    r = CliRun.run(host.dir, "restore", "-c", cfg.toString(), "--from-salvage", foreign.toString(), "--to-imap");
                    assertEquals(2, r.exit(), r.err());
                    assertTrue(r.err().contains("accounts this host does not have") && r.err().contains(bob.email()), r.err());
                    assertEquals(List.of("INBOX"), imap.listFolders(anna.email()), "nothing delivered");

                    // A dry run counts and delivers nothing.
                    r = CliRun.run(host.dir, "restore", "-c", cfg.toString(), "--from-salvage", dir.toString(), "--to-imap", "--dry-run", "--json");
                    assertEquals(0, r.exit(), r.err());
                    assertEquals(5, JSON.readTree(r.out()).get("restored").asInt(), r.out());
                    assertEquals(List.of("INBOX"), imap.listFolders(anna.email()));

                    // Into "Recovered <date>": byte for byte, flags and dates; the rest named as not messages.
                    String recovered = "Recovered " + Instant.parse(manifest.get("salvage_time").asText()).atOffset(ZoneOffset.UTC).toLocalDate();
                    r = CliRun.run(host.dir, "restore", "-c", cfg.toString(), "--from-salvage", dir.toString(), "--to-imap", "--json");
                    assertEquals(0, r.exit(), r.err());
                    JsonNode j = JSON.readTree(r.out());
                    assertEquals(5, j.get("restored").asInt(), r.out());
                    assertEquals(3, j.get("not_messages").asInt(), r.out());
                    assertEquals(recovered, j.get("folder").asText());
                    for (GeneratedMessage m : newMessages) {
                        GeneratedAccount acct = m == newMessages.get(newMessages.size() - 1) ? bob : anna;
                        assertDelivered(m, imap.fetchAll(acct.email(), recovered + acct.folders().get(m.folderId())));
                    }
                    // A rerun adds nothing.
                    r = CliRun.run(host.dir, "restore", "-c", cfg.toString(), "--from-salvage", dir.toString(), "--to-imap", "--json");
                    assertEquals(0, r.exit(), r.err());
                    j = JSON.readTree(r.out());
                    assertEquals(0, j.get("restored").asInt(), r.out());
                    assertEquals(5, j.get("skipped_present").asInt(), r.out());
                    assertEquals(1, imap.fetchAll(anna.email(), recovered + "/Inbox").size());

                    // Into the original folders (Inbox is IMAP's INBOX); again only once.
                    for (int run = 0; run < 2; run++) {
                        r = CliRun.run(host.dir, "restore", "-c", cfg.toString(), "--from-salvage", dir.toString(), "--to-imap",
                                "--into-original-folders", "--json");
                        assertEquals(0, r.exit(), r.err());
                        assertEquals(run == 0 ? 5 : 0, JSON.readTree(r.out()).get("restored").asInt(), r.out());
                    }
                    for (GeneratedMessage m : newMessages) {
                        GeneratedAccount acct = m == newMessages.get(newMessages.size() - 1) ? bob : anna;
                        String path = acct.folders().get(m.folderId());
                        String folder = path.equals("/Inbox") ? "INBOX" : path.startsWith("/Inbox/") ? "INBOX" + path.substring(6) : path.substring(1);
                        assertDelivered(m, imap.fetchAll(acct.email(), folder));
                    }

                    // A file changed after the export: refused before anything is delivered.
                    GeneratedMessage victim = newMessages.get(0);
                    Path victimFile = dir.resolve(byId.get(victim.id()).get("file").asText());
                    byte[] v = Files.readAllBytes(victimFile);
                    v[v.length - 3] ^= 0x20;
                    Files.write(victimFile, v);
                    r = CliRun.run(host.dir, "restore", "-c", cfg.toString(), "--from-salvage", dir.toString(), "--to-imap",
                            "--into-folder", "Tampered");
                    assertEquals(1, r.exit(), r.out() + r.err());
                    assertTrue(r.err().contains("do not match its manifest") && r.err().contains(victim.id() + ".eml"), r.err());
                    assertFalse(imap.listFolders(anna.email()).stream().anyMatch(f -> f.startsWith("Tampered")), "nothing delivered");
                    assertFalse(imap.listFolders(bob.email()).stream().anyMatch(f -> f.startsWith("Tampered")), "nothing delivered");
                    assertNothingLeft(host, workdir);
                } finally {
                    CliRun.run(host.dir, "restore", "-c", cfg.toString(), "--cleanup");
                }
            }
        }
    }

    private static String take(Path cfg, String policy) {
        try (AgentContext ctx = new AgentContext(ConfigLoader.load(cfg))) {
            CycleOutcome o = ctx.snapshotCycle().run(policy);
            return ((CycleOutcome.Taken) o).report().tag().name();
        }
    }

    private static List<String> imapFlags(GeneratedMessage m) {
        List<String> f = new ArrayList<>();
        if (!m.unread()) {
            f.add("\\Seen");
        }
        if ((m.flags() & Flags.REPLIED) != 0) {
            f.add("\\Answered");
        }
        if ((m.flags() & Flags.FLAGGED) != 0) {
            f.add("\\Flagged");
        }
        if ((m.flags() & Flags.DRAFT) != 0) {
            f.add("\\Draft");
        }
        return f;
    }

    private static void assertDelivered(GeneratedMessage m, List<FetchedMessage> fetched) {
        List<FetchedMessage> same = fetched.stream().filter(f -> RestoreCliIT.sha(f.raw()).equals(m.digest())).toList();
        assertEquals(1, same.size(), "message " + m.id() + " byte for byte, once");
        FetchedMessage f = same.get(0);
        assertEquals(m.dateSeconds(), f.internalDate().getEpochSecond(), "internal date of " + m.id());
        assertEquals(new HashSet<>(imapFlags(m)), f.flags(), "flags of " + m.id());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String hex(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static Path copy(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return to;
    }

    private static void assertNothingLeft(SnapshotHost host, Path workdir) throws Exception {
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
