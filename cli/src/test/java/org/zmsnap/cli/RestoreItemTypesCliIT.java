package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import biweekly.Biweekly;
import biweekly.ICalendar;
import biweekly.component.VEvent;
import biweekly.component.VTodo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.ImapServer;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.zimbra.ContactVcfCheck;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.GeneratedContact;
import org.zmsnap.fixtures.zimbra.MailboxAdditions;
import org.zmsnap.fixtures.zimbra.VcfReader;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.snapshot.CycleOutcome;

/**
 * Every item type in the format people open, against real zfs-fuse, mariadbd and Dovecot: contacts (a full one, a
 * group, the generated ones) as vCard, an appointment and a task as iCalendar, documents under their own names. The
 * output is read back with parsers the product does not use (the fixtures' vCard reader, biweekly for iCalendar) and
 * compared with what was put into the database.
 */
class RestoreItemTypesCliIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void contactsCalendarItemsAndDocumentsAsFilesAndBesideImap() throws Exception {
        try (SnapshotHost host = new SnapshotHost()) {
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            GeneratedAccount acct;
            MailboxAdditions.Added full;
            MailboxAdditions.Added group;
            MailboxAdditions.Added appointment;
            MailboxAdditions.Added task;
            MailboxAdditions.Added report;
            MailboxAdditions.Added clash;
            long start = Instant.parse("2026-12-01T09:00:00Z").getEpochSecond();
            Map<String, String> fields = new TreeMap<>(Map.ofEntries(
                    Map.entry("firstName", "Anna"), Map.entry("lastName", "Müller-Lüdenscheidt"), Map.entry("middleName", "Maria"),
                    Map.entry("namePrefix", "Dr."), Map.entry("email", "anna@example.com"), Map.entry("email2", "anna@privat.example"),
                    Map.entry("workPhone", "+49 30 1234"), Map.entry("homePhone", "+49 30 5678"), Map.entry("mobilePhone", "+49 170 1"),
                    Map.entry("workFax", "+49 30 1235"), Map.entry("company", "Beispiel; GmbH"), Map.entry("department", "Einkauf"),
                    Map.entry("jobTitle", "Leiterin"), Map.entry("notes", "Zwei\nZeilen, mit Komma"), Map.entry("birthday", "1980-04-02"),
                    Map.entry("workStreet", "Friedrichstraße 1\n3. Etage"), Map.entry("workCity", "Berlin"),
                    Map.entry("workPostalCode", "10117"), Map.entry("workCountry", "Deutschland"), Map.entry("homeStreet", "Am Hang 2"),
                    Map.entry("homeCity", "Potsdam"), Map.entry("homeURL", "https://anna.example"), Map.entry("nickname", "Anni"),
                    Map.entry("fileAs", "1"), Map.entry("Lieblingsfarbe", "grün"), Map.entry("Kundennummer", "K-4711")));
            try (Connection c = host.db.connect()) {
                acct = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(1, 10)).generate(c, store).accounts().get(0);
                MailboxAdditions add = new MailboxAdditions(c, store, acct, 15);
                full = add.contact(fields, start);
                group = add.contactGroup("Team Süd", List.of(new String[] {"I", "Bob Beispiel <bob@example.com>"},
                        new String[] {"C", String.valueOf(full.id())}), start);
                appointment = add.appointment("Quartalsplanung Ω", start);
                task = add.task("Steuererklärung abgeben", start + 86_400);
                report = add.document("Bericht: Q1/2026.txt", "Bericht über das erste Quartal\n".getBytes(StandardCharsets.UTF_8), start);
                // a different name that the file system sanitising makes the same
                clash = add.document("Bericht: Q1_2026.txt", "ein anderer Bericht\n".getBytes(StandardCharsets.UTF_8), start);
            }
            Path imapParent = Files.createDirectories(Path.of("/tmp/zmsnap-itemtypes-it"));
            Files.setPosixFilePermissions(imapParent, PosixFilePermissions.fromString("rwxr-xr-x"));
            try (ImapServer imap = ImapServer.start(imapParent, Map.of(acct.email(), "userpw1"), "admin", "adminpw1")) {
                Path pw = host.dir.resolve("imap.pw");
                Files.writeString(pw, "adminpw1\n");
                Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
                Path workdir = host.dir.resolve("restore");
                Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                        + "restore:\n  workdir: " + workdir + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n  zmprov: none\n"
                        + "  imap: { host: 127.0.0.1, port: " + imap.port() + ", tls: none, admin-user: admin, admin-password-file: " + pw + " }\n");
                String tag;
                try (AgentContext ctx = new AgentContext(ConfigLoader.load(cfg))) {
                    tag = ((CycleOutcome.Taken) ctx.snapshotCycle().run("manual")).report().tag().name();
                }
                CliRun.Result m = CliRun.run(host.dir, "mount", "-c", cfg.toString(), "--snapshot", tag);
                assertEquals(0, m.exit(), m.out() + m.err());
                try {
                    // Files: the whole mailbox (everything outside Trash and Junk).
                    Path out = host.dir.resolve("out");
                    CliRun.Result r = CliRun.run(host.dir, "restore", "mailbox", "-c", cfg.toString(), "--snapshot", tag,
                            "--account", acct.email(), "--to-dir", out.toString(), "--json");
                    assertEquals(0, r.exit(), r.out() + r.err());
                    JsonNode j = JSON.readTree(r.out());
                    assertEquals(0, j.get("failed").asInt(), r.out());
                    assertEquals(0, j.get("not_messages").asInt(), r.out());

                    assertEquals(List.of(), ContactVcfCheck.mismatches(fields, vcf(out, "Contacts", full.id())));
                    for (GeneratedContact k : acct.contacts()) {
                        String folder = k.folderId() == 7 ? "Contacts" : "Emailed Contacts";
                        String text = vcf(out, folder, k.id());
                        assertEquals(List.of(), ContactVcfCheck.mismatches(k.fields(), text), text);
                    }
                    List<VcfReader.Prop> g = VcfReader.read(vcf(out, "Contacts", group.id()));
                    assertEquals(List.of("Team Süd"), texts(g, "FN"));
                    assertEquals(List.of("group"), texts(g, "X-ADDRESSBOOKSERVER-KIND"));
                    assertEquals(List.of("mailto:bob@example.com", "urn:uuid:zimbra-contact-" + full.id()), texts(g, "X-ADDRESSBOOKSERVER-MEMBER"));
                    assertEquals(List.of("Bob Beispiel <bob@example.com>", String.valueOf(full.id())), texts(g, "X-ZIMBRA-MEMBER"));
                    assertEquals(List.of("zimbra-contact-" + full.id()), texts(VcfReader.read(vcf(out, "Contacts", full.id())), "UID"));

                    // The appointment and the task: the iCalendar Zimbra stored, parsed back by biweekly.
                    ICalendar ev = ics(out.resolve("Calendar").resolve(appointment.id() + ".ics"));
                    ICalendar stored = Biweekly.parse(new String(appointment.content(), StandardCharsets.UTF_8)).first();
                    VEvent e = ev.getEvents().get(0);
                    assertEquals("Quartalsplanung Ω", e.getSummary().getValue());
                    assertEquals(stored.getEvents().get(0).getUid().getValue(), e.getUid().getValue());
                    assertEquals(Instant.ofEpochSecond(start), e.getDateStart().getValue().toInstant());
                    assertEquals("REQUEST", ev.getMethod().getValue());
                    ICalendar td = ics(out.resolve("Tasks").resolve(task.id() + ".ics"));
                    VTodo t = td.getTodos().get(0);
                    assertEquals("Steuererklärung abgeben", t.getSummary().getValue());
                    assertEquals(Instant.ofEpochSecond(start + 86_400), t.getDateDue().getValue().toInstant());
                    assertEquals(40, t.getPercentComplete().getValue());
                    assertArrayEquals(task.content(), Files.readAllBytes(out.resolve("Tasks").resolve(task.id() + ".ics")),
                            "the quoted-printable part decoded is exactly the iCalendar stored");

                    // Documents: the original bytes under their own names; the clash under a name with its id.
                    Path briefcase = out.resolve("Briefcase");
                    assertArrayEquals(report.content(), Files.readAllBytes(briefcase.resolve("Bericht: Q1_2026.txt")));
                    assertArrayEquals(clash.content(), Files.readAllBytes(briefcase.resolve("Bericht: Q1_2026 (" + clash.id() + ").txt")));

                    // A rerun writes nothing again.
                    r = CliRun.run(host.dir, "restore", "mailbox", "-c", cfg.toString(), "--snapshot", tag,
                            "--account", acct.email(), "--to-dir", out.toString(), "--json");
                    assertEquals(0, r.exit(), r.out() + r.err());
                    assertEquals(0, JSON.readTree(r.out()).get("restored").asInt(), r.out());

                    // Into the live account: IMAP takes messages only; the rest are files, and the summary says so.
                    r = CliRun.run(host.dir, "restore", "folder", "-c", cfg.toString(), "--snapshot", tag, "--account", acct.email(),
                            "--folder", "/Calendar", "--to-imap");
                    assertEquals(0, r.exit(), r.out() + r.err());
                    assertTrue(r.out().contains("not messages 1"), r.out());
                    assertTrue(r.out().contains("IMAP takes messages only") && r.out().contains("zmmailbox")
                            && r.out().contains("is not installed here"), r.out());
                    Path ics = workdir.resolve("items").resolve(acct.email()).resolve(tag).resolve("Calendar").resolve(appointment.id() + ".ics");
                    assertTrue(r.out().contains(ics.toString()), r.out());
                    assertEquals("Quartalsplanung Ω", ics(ics).getEvents().get(0).getSummary().getValue());
                } finally {
                    CliRun.run(host.dir, "unmount", "-c", cfg.toString());
                }
            }
        }
    }

    private static String vcf(Path out, String folder, int id) throws Exception {
        return Files.readString(out.resolve(folder).resolve(id + ".vcf"), StandardCharsets.UTF_8);
    }

    private static List<String> texts(List<VcfReader.Prop> props, String name) {
        return VcfReader.all(props, name).stream().map(VcfReader.Prop::text).toList();
    }

    private static ICalendar ics(Path file) throws Exception {
        List<ICalendar> all = Biweekly.parse(Files.readString(file, StandardCharsets.UTF_8)).all();
        assertEquals(1, all.size(), file.toString());
        return all.get(0);
    }
}
