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
import java.security.MessageDigest;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.MailCorpus;
import org.zmsnap.fixtures.zimbra.MailboxAdditions;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.snapshot.CycleOutcome;

/**
 * {@code zmsnap export} and {@code export --check} against real zfs-fuse and mariadbd: the corpus of real-world shaped
 * messages in three mailboxes (Inbox, Trash, Junk, some blobs gzipped). What the export must hold is computed here from
 * the corpus and the files' digests here with the JDK, never taken from zmsnap's output.
 */
class ExportCliIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long MARCH_1 = Instant.parse("2026-03-01T10:00:00Z").getEpochSecond();

    record Placed(MailCorpus.Entry entry, String account, int id, String folder, long date) {}

    @Test
    void exportsExactlyWhatMatchesWithAManifestThatCheckVerifies() throws Exception {
        try (SnapshotHost host = new SnapshotHost()) {
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            List<Placed> placed = new ArrayList<>();
            List<GeneratedAccount> accounts;
            MailboxAdditions.Added contact;
            try (Connection c = host.db.connect()) {
                accounts = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(3, 6)).generate(c, store).accounts();
                for (int k = 0; k < 3; k++) {
                    GeneratedAccount a = accounts.get(k);
                    List<MailCorpus.Entry> corpus = MailCorpus.messages(a.email());
                    MailboxAdditions add = new MailboxAdditions(c, store, a, 7 + k);
                    String to = "<" + a.email() + ">, Legal <legal-hold-" + k + "@corp.example>";
                    for (int i = 0; i < corpus.size(); i++) {
                        int folderId = k == 1 ? (i % 2 == 0 ? 3 : 4) : 2;
                        String folder = folderId == 2 ? "/Inbox" : folderId == 3 ? "/Trash" : "/Junk";
                        long date = MARCH_1 + (i + 10L * k) * 86400L;
                        MailCorpus.Entry e = corpus.get(i);
                        MailboxAdditions.Added x = add.raw(folderId, e.raw(), e.from(), to, e.subject(), e.attachment(), k == 2 && i % 2 == 1, date);
                        placed.add(new Placed(e, a.email(), x.id(), folder, date));
                    }
                }
                contact = new MailboxAdditions(c, store, accounts.get(1), 99).contact(Map.of("firstName", "Erika", "lastName", "Mustermann",
                        "email", "erika@example.de"), MARCH_1);
            }
            Path workdir = host.dir.resolve("restore");
            Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                    + "restore:\n  workdir: " + workdir + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n");
            String tag;
            try (AgentContext ctx = new AgentContext(ConfigLoader.load(cfg))) {
                tag = ((CycleOutcome.Taken) ctx.snapshotCycle().run("manual")).report().tag().name();
            }

            // Bad input is refused before anything is opened or written.
            Path out = host.dir.resolve("discovery");
            CliRun.Result r = CliRun.run(host.dir, "export", "-c", cfg.toString(), "--snapshot", tag, "--all-accounts", "--since", "March",
                    "--to-dir", out.toString());
            assertEquals(2, r.exit(), r.out() + r.err());
            assertTrue(r.err().contains("--since"), r.err());
            assertFalse(Files.exists(out));

            // Across the three mailboxes, by recipient and date (AND), Trash and Junk included; export's own open is removed after.
            r = CliRun.run(host.dir, "export", "-c", cfg.toString(), "--snapshot", "latest", "--all-accounts", "--to", "legal-hold-",
                    "--since", "2026-03-03", "--to-dir", out.toString());
            assertEquals(0, r.exit(), r.out() + r.err());
            assertNothingLeft(host, workdir);
            long since = Instant.parse("2026-03-03T00:00:00Z").getEpochSecond();
            Predicate<Placed> wanted = p -> p.date() >= since;
            Map<String, byte[]> expected = new TreeMap<>();
            placed.stream().filter(wanted).forEach(p -> expected.put(p.account() + p.folder() + "/" + p.id() + ".eml", p.entry().raw()));
            assertTrue(expected.keySet().stream().anyMatch(p -> p.contains("/Trash/")) && expected.keySet().stream().anyMatch(p -> p.contains("/Junk/"))
                    && expected.size() < placed.size(), expected.keySet().toString());
            Map<String, byte[]> written = files(out);
            assertEquals(expected.keySet(), written.keySet());
            expected.forEach((path, raw) -> assertArrayEquals(raw, written.get(path), path));

            JsonNode m = JSON.readTree(out.resolve("manifest.json").toFile());
            assertEquals(tag, m.get("snapshot").get("tag").asText());
            assertEquals("eml", m.get("format").asText());
            assertEquals(List.of("zmsnap", "export", "-c", cfg.toString(), "--snapshot", "latest", "--all-accounts", "--to", "legal-hold-",
                    "--since", "2026-03-03", "--to-dir", out.toString()), strings(m.get("command_line")));
            for (JsonNode d : m.get("snapshot").get("datasets")) {
                String name = d.get("snapshot").asText();
                assertTrue(name.endsWith("@" + tag), name);
                assertEquals(host.pool.zfs("get", "-Hp", "-o", "value", "guid", name).stdout().strip(), d.get("guid").asText(), name);
            }
            assertEquals(host.pool.zfs("list", "-H", "-t", "snapshot", "-o", "name", "-r", host.pool.name()).stdout().lines()
                    .filter(l -> l.endsWith("@" + tag)).count(), m.get("snapshot").get("datasets").size());
            assertEquals(expected.size(), m.get("items").size());
            for (JsonNode i : m.get("items")) {
                Placed p = placed.stream().filter(x -> x.account().equals(i.get("account").asText()) && x.id() == i.get("id").asInt())
                        .findFirst().orElseThrow();
                assertEquals(p.account() + p.folder() + "/" + p.id() + ".eml", i.get("file").asText());
                assertEquals(p.folder(), i.get("folder").asText());
                assertEquals("message", i.get("type").asText());
                assertEquals(Instant.ofEpochSecond(p.date()).toString(), i.get("date").asText());
                assertEquals(p.entry().from(), i.get("from").asText());
                assertEquals(p.entry().subject(), i.get("subject").asText());
                assertEquals(p.entry().raw().length, i.get("size").asLong());
                assertEquals(sha(p.entry().raw()), i.get("sha256").asText());
            }
            Map<String, String> recorded = new TreeMap<>();
            m.get("files").forEach(f -> recorded.put(f.get("path").asText(), f.get("sha256").asText()));
            Map<String, String> computed = new TreeMap<>();
            written.forEach((path, bytes) -> computed.put(path, sha(bytes)));
            assertEquals(computed, recorded);

            r = CliRun.run(host.dir, "export", "--check", out.toString());
            assertEquals(0, r.exit(), r.out() + r.err());

            // Evidence is never written over: a second export into the same directory is refused and changes nothing.
            byte[] manifest = Files.readAllBytes(out.resolve("manifest.json"));
            r = CliRun.run(host.dir, "export", "-c", cfg.toString(), "--snapshot", tag, "--all-accounts", "--to-dir", out.toString());
            assertEquals(2, r.exit(), r.out() + r.err());
            assertTrue(r.err().contains("not empty"), r.err());
            assertEquals(written.keySet(), files(out).keySet());
            assertArrayEquals(manifest, Files.readAllBytes(out.resolve("manifest.json")));

            List<String> paths = new ArrayList<>(written.keySet());
            Path altered = out.resolve(paths.get(0));
            byte[] b = Files.readAllBytes(altered);
            b[b.length / 2] ^= 1;
            Files.write(altered, b);
            Files.delete(out.resolve(paths.get(1)));
            Files.writeString(out.resolve(accounts.get(0).email()).resolve("Inbox/planted.eml"), "From: x\r\n\r\nnot evidence\r\n");
            r = CliRun.run(host.dir, "export", "--check", out.toString());
            assertEquals(1, r.exit(), r.out() + r.err());
            assertTrue(r.out().contains("altered: " + paths.get(0)), r.out());
            assertTrue(r.out().contains("missing: " + paths.get(1)), r.out());
            assertTrue(r.out().contains("added: " + accounts.get(0).email() + "/Inbox/planted.eml"), r.out());

            // mbox: several items share a file; each file's digest and each item's (the message as stored) are recorded.
            Path mbox = host.dir.resolve("discovery-mbox");
            String b1 = accounts.get(1).email();
            r = CliRun.run(host.dir, "export", "-c", cfg.toString(), "--snapshot", tag, "--account", b1, "--type", "message,contact",
                    "--since", "2026-03-01", "--format", "mbox", "--to-dir", mbox.toString(), "--json");
            assertEquals(0, r.exit(), r.out() + r.err());
            assertNothingLeft(host, workdir);
            Map<String, byte[]> mfiles = files(mbox);
            JsonNode mm = JSON.readTree(mbox.resolve("manifest.json").toFile());
            Map<String, String> mrecorded = new TreeMap<>();
            mm.get("files").forEach(f -> mrecorded.put(f.get("path").asText(), f.get("sha256").asText()));
            Map<String, String> mcomputed = new TreeMap<>();
            mfiles.forEach((path, bytes) -> mcomputed.put(path, sha(bytes)));
            assertEquals(mcomputed, mrecorded);
            assertTrue(mcomputed.keySet().containsAll(List.of(b1 + "/Trash.mbox", b1 + "/Junk.mbox", b1 + "/files/Contacts/" + contact.id() + ".vcf")),
                    mcomputed.keySet().toString());
            assertTrue(mcomputed.keySet().stream().allMatch(f -> f.startsWith(b1 + "/") && (f.endsWith(".mbox") || f.startsWith(b1 + "/files/"))),
                    mcomputed.keySet().toString());
            assertEquals(mm.get("items").size(), JSON.readTree(r.out()).get("items").asInt());
            for (String folder : List.of("Trash", "Junk")) {
                List<Placed> in = placed.stream().filter(p -> p.account().equals(b1) && p.folder().equals("/" + folder)).toList();
                String text = new String(mfiles.get(b1 + "/" + folder + ".mbox"), StandardCharsets.ISO_8859_1);
                assertEquals(in.size(), text.lines().filter(l -> l.startsWith("From MAILER-DAEMON ")).count(), folder);
                for (Placed p : in) {
                    JsonNode i = item(mm, b1, p.id());
                    assertEquals(b1 + "/" + folder + ".mbox", i.get("file").asText());
                    assertEquals(sha(p.entry().raw()), i.get("sha256").asText());
                }
            }
            JsonNode ci = item(mm, b1, contact.id());
            assertEquals("contact", ci.get("type").asText());
            byte[] vcf = mfiles.get(b1 + "/files/Contacts/" + contact.id() + ".vcf");
            assertTrue(new String(vcf, StandardCharsets.UTF_8).contains("Mustermann"));
            assertEquals(sha(vcf), ci.get("sha256").asText());
            assertEquals(0, CliRun.run(host.dir, "export", "--check", mbox.toString()).exit());

            // An unknown account is a usage error naming it; the directory stays as it was (absent).
            Path none = host.dir.resolve("none");
            r = CliRun.run(host.dir, "export", "-c", cfg.toString(), "--snapshot", tag, "--account", "nobody@nowhere.example",
                    "--to-dir", none.toString());
            assertEquals(2, r.exit(), r.out() + r.err());
            assertTrue(r.err().contains("nobody@nowhere.example"), r.err());
            assertFalse(Files.exists(none));
            assertNothingLeft(host, workdir);
        }
    }

    private static JsonNode item(JsonNode manifest, String account, int id) {
        for (JsonNode i : manifest.get("items")) {
            if (i.get("account").asText().equals(account) && i.get("id").asInt() == id) {
                return i;
            }
        }
        throw new AssertionError("no item " + id + " of " + account + " in the manifest");
    }

    /** Every file below {@code dir} but the manifest, by '/'-separated relative path. */
    private static Map<String, byte[]> files(Path dir) throws Exception {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String rel = dir.relativize(p).toString().replace(java.io.File.separatorChar, '/');
                if (!rel.equals("manifest.json")) {
                    m.put(rel, Files.readAllBytes(p));
                }
            }
        }
        return m;
    }

    private static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asText()));
        return l;
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

    static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
