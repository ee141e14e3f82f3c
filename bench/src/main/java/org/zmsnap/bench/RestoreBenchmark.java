package org.zmsnap.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.zmsnap.AgentContext;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.ImapServer;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.imap.ImapClient;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.GeneratedMessage;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.restore.RestoreProgress;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.restore.RestoreSummary;
import org.zmsnap.restore.Restorer;
import org.zmsnap.restore.session.OpenedSnapshot;
import org.zmsnap.restore.target.MaildirWriter;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.AccountResolver;
import org.zmsnap.zimbra.BlobContent;
import org.zmsnap.zimbra.BlobLocator;
import org.zmsnap.zimbra.BlobReader;
import org.zmsnap.zimbra.FolderTree;
import org.zmsnap.zimbra.ItemQuery;
import org.zmsnap.zimbra.ItemReader;
import org.zmsnap.zimbra.MailItem;

/**
 * The support-call timings of restore, with real zfs-fuse, mariadbd and Dovecot: one message from the admin's
 * command to the message in the IMAP mailbox (the real bin/zmsnap, JVM start included), a whole mailbox into
 * IMAP and to Maildir, and where the time goes. Blobs are in the page cache (just generated), so blob reads here
 * are a best case for a store on disk.
 */
public final class RestoreBenchmark implements Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(30);

    @Override
    public String name() {
        return "restore";
    }

    @Override
    public String description() {
        return "restore --messages 10000 (one account) [--reps 5] [--seed 42]: one message / mailbox into IMAP and Maildir";
    }

    @Override
    public BenchResult run(BenchContext ctx) throws Exception {
        int messages = ctx.intArg("--messages", 10_000);
        int reps = ctx.intArg("--reps", 5);
        long seed = ctx.longArg("--seed", 42);
        Path zmsnap = ctx.projectRoot().resolve("bin/zmsnap");
        if (!Files.isRegularFile(ctx.projectRoot().resolve("cli/target/zmsnap-cli.jar"))) {
            throw new IllegalStateException("cli/target/zmsnap-cli.jar is not built: ./mvnw -B -DskipTests package");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("accounts", 1);
        params.put("messages", messages);
        params.put("reps", reps);
        params.put("seed", seed);
        List<BenchResult.Metric> metrics = new ArrayList<>();

        // A sparse 8G pool: 10,000 messages with the generator's share of multi-MB ones need about 1 GB.
        try (SnapshotHost host = new SnapshotHost("8G")) {
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            GeneratedAccount acct;
            try (Connection c = host.db.connect()) {
                acct = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(1, messages).withSeed(seed))
                        .generate(c, store).accounts().get(0);
            }
            String email = acct.email();
            // Dovecot's users must be able to traverse the parent of its work dir.
            Path imapParent = Files.createDirectories(Path.of("/tmp/zmsnap-restore-bench"));
            Files.setPosixFilePermissions(imapParent, PosixFilePermissions.fromString("rwxr-xr-x"));
            try (ImapServer imap = ImapServer.start(imapParent, Map.of(email, "userpw1"), "admin", "adminpw1")) {
                Path pw = host.dir.resolve("imap.pw");
                Files.writeString(pw, "adminpw1\n");
                Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
                Path workdir = host.dir.resolve("restore");
                Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                        + "restore:\n  workdir: " + workdir + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n"
                        + "  imap: { host: 127.0.0.1, port: " + imap.port() + ", tls: none, admin-user: admin,"
                        + " admin-password-file: " + pw + " }\n");
                String tag;
                try (AgentContext agent = new AgentContext(ConfigLoader.load(cfg))) {
                    tag = ((CycleOutcome.Taken) agent.snapshotCycle().run("manual")).report().tag().name();
                }
                try {
                    oneMessage(ctx, zmsnap, cfg, tag, acct, imap, reps, metrics);
                    wholeMailbox(ctx, zmsnap, cfg, tag, acct, imap, host.dir, metrics);
                    breakdown(ctx, cfg, tag, email, host.dir, metrics);
                } finally {
                    // A failed run must not leave clones that keep the pool from being destroyed.
                    try (AgentContext agent = new AgentContext(ConfigLoader.load(cfg))) {
                        new RestoreService(agent).leftovers().remove(true);
                    }
                }
            }
        }
        return new BenchResult(name(), params, metrics);
    }

    /** {@code --reps} distinct Inbox messages, each restored by its own command; distinct so none is skipped as present. */
    private static void oneMessage(BenchContext ctx, Path zmsnap, Path cfg, String tag, GeneratedAccount acct,
                                   ImapServer imap, int reps, List<BenchResult.Metric> metrics) throws Exception {
        List<GeneratedMessage> inbox = acct.messages().stream().filter(m -> m.folderId() == 2).limit(reps).toList();
        if (inbox.size() < reps) {
            throw new IllegalStateException("only " + inbox.size() + " Inbox messages for " + reps + " repetitions");
        }
        List<Double> wall = new ArrayList<>();
        List<Double> clone = new ArrayList<>();
        List<Double> mariadbd = new ArrayList<>();
        List<Double> restore = new ArrayList<>();
        for (GeneratedMessage m : inbox) {
            long before = inboxCount(imap, acct.email());
            long t0 = System.nanoTime();
            JsonNode j = zmsnap(zmsnap, "restore", "item", "-c", cfg.toString(), "--snapshot", tag, "--account", acct.email(),
                    "--item", Integer.toString(m.id()), "--to-imap", "--json");
            // The clock runs until the message is visible to a client, not only until the command says so.
            long now = inboxCount(imap, acct.email());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (now < before + 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
                now = inboxCount(imap, acct.email());
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            if (j.get("restored").asInt() != 1 || now != before + 1) {
                throw new IllegalStateException("message " + m.id() + " did not arrive: " + j + ", INBOX " + before + " -> " + now);
            }
            wall.add(secs);
            clone.add(j.get("clone_ms").asDouble());
            mariadbd.add(j.get("mariadbd_start_ms").asDouble());
            restore.add(j.get("restore_ms").asDouble());
            ctx.log().printf("restore: one message %d in %.2f s (clone %s ms, mariadbd %s ms, restore %s ms)%n", m.id(), secs,
                    j.get("clone_ms"), j.get("mariadbd_start_ms"), j.get("restore_ms"));
        }
        double med = median(wall);
        metrics.add(new BenchResult.Metric("one message into IMAP, command start to in mailbox (median of " + reps + ")", med, "s", 2));
        metrics.add(new BenchResult.Metric("one message: slowest of " + reps, wall.stream().mapToDouble(d -> d).max().orElse(0), "s", 2));
        metrics.add(new BenchResult.Metric("one message: clone (median)", median(clone), "ms", 0));
        metrics.add(new BenchResult.Metric("one message: sandbox mariadbd start (median)", median(mariadbd), "ms", 0));
        metrics.add(new BenchResult.Metric("one message: read + deliver (median)", median(restore), "ms", 0));
        metrics.add(new BenchResult.Metric("one message: rest (JVM start, snapshot list, query, IMAP login, teardown; median)",
                med * 1000 - median(clone) - median(mariadbd) - median(restore), "ms", 0));
        metrics.add(new BenchResult.Metric("goal one message <= 5 s met", med <= 5 ? 1 : 0, "1 = yes", 0));
    }

    private static void wholeMailbox(BenchContext ctx, Path zmsnap, Path cfg, String tag, GeneratedAccount acct,
                                     ImapServer imap, Path dir, List<BenchResult.Metric> metrics) throws Exception {
        long t0 = System.nanoTime();
        JsonNode j = zmsnap(zmsnap, "restore", "mailbox", "-c", cfg.toString(), "--snapshot", tag, "--account", acct.email(),
                "--to-imap", "--into-folder", "Restored", "--json");
        double wall = (System.nanoTime() - t0) / 1e9;
        int restored = j.get("restored").asInt();
        // Count what a client sees, so a rate is never claimed for messages that did not arrive.
        long inImap = 0;
        try (ImapClient c = imap.loginAs(acct.email())) {
            for (ImapClient.ListEntry e : c.list()) {
                if (e.selectable() && e.name().startsWith("Restored/")) {
                    inImap += c.examine(e.name()).exists();
                }
            }
            c.logout();
        }
        if (j.get("failed").asInt() != 0 || inImap != restored) {
            throw new IllegalStateException("mailbox into IMAP: " + inImap + " in IMAP, summary " + j);
        }
        double imapDeliver = restored / (j.get("restore_ms").asDouble() / 1000);
        ctx.log().printf("restore: mailbox into IMAP %d messages in %.1f s (%s)%n", restored, wall, j);
        metrics.add(new BenchResult.Metric("mailbox into IMAP: messages", restored, "messages", 0));
        metrics.add(new BenchResult.Metric("mailbox into IMAP: command wall time", wall, "s", 1));
        metrics.add(new BenchResult.Metric("mailbox into IMAP: rate, whole command", restored / wall, "messages/s", 0));
        metrics.add(new BenchResult.Metric("mailbox into IMAP: rate, read + deliver phase", imapDeliver, "messages/s", 0));
        metrics.add(new BenchResult.Metric("mailbox into IMAP: MB delivered", j.get("bytes").asDouble() / 1e6, "MB", 1));
        metrics.add(new BenchResult.Metric("goal IMAP >= 300 msg/s met (whole command)", restored / wall >= 300 ? 1 : 0, "1 = yes", 0));

        Path maildir = dir.resolve("maildir-out");
        t0 = System.nanoTime();
        j = zmsnap(zmsnap, "restore", "mailbox", "-c", cfg.toString(), "--snapshot", tag, "--account", acct.email(),
                "--to-dir", maildir.toString(), "--format", "maildir", "--json");
        wall = (System.nanoTime() - t0) / 1e9;
        // To files, documents come back too (under files/); only messages land in Maildir cur/new, and they must be
        // exactly the ones that went into IMAP.
        long files = countMaildirFiles(maildir);
        int written = (int) files;
        if (j.get("failed").asInt() != 0 || files != restored) {
            throw new IllegalStateException("mailbox to Maildir: " + files + " files, summary " + j);
        }
        ctx.log().printf("restore: mailbox to Maildir %d messages in %.1f s (%s)%n", written, wall, j);
        metrics.add(new BenchResult.Metric("mailbox to Maildir: command wall time", wall, "s", 1));
        metrics.add(new BenchResult.Metric("mailbox to Maildir: rate, whole command", written / wall, "messages/s", 0));
        metrics.add(new BenchResult.Metric("mailbox to Maildir: rate, read + write phase",
                written / (j.get("restore_ms").asDouble() / 1000), "messages/s", 0));
        metrics.add(new BenchResult.Metric("goal Maildir >= 2,000 msg/s met (whole command)", written / wall >= 2000 ? 1 : 0, "1 = yes", 0));
    }

    /**
     * The phases the CLI does not report one by one, measured in-process with the same restore classes: open
     * (clone, mariadbd start), the item query, and reading + checking every blob. Delivery is then the CLI's
     * read + deliver time minus the blob reads.
     */
    private static void breakdown(BenchContext ctx, Path cfg, String tag, String email, Path dir,
            List<BenchResult.Metric> metrics) throws Exception {
        try (AgentContext agent = new AgentContext(ConfigLoader.load(cfg));
             OpenedSnapshot o = new RestoreService(agent).open(tag);
             Connection c = o.connect()) {
            long t0 = System.nanoTime();
            Account a = AccountResolver.resolve(c, email);
            FolderTree tree = FolderTree.load(c, a);
            List<MailItem> items = ItemReader.read(c, a, ItemQuery.all());
            double queryMs = (System.nanoTime() - t0) / 1e6;
            BlobLocator blobs = BlobLocator.load(c, o::map);
            List<MailItem> withBlob = items.stream().filter(MailItem::message).filter(MailItem::hasBlob).toList();
            t0 = System.nanoTime();
            long bytes = 0;
            for (MailItem i : withBlob) {
                BlobContent b = BlobReader.read(blobs.locate(a.mailboxId(), i), i.digest());
                bytes += b instanceof BlobContent.Ok ok ? ok.bytes().length
                        : b instanceof BlobContent.DigestMismatch m ? m.bytes().length : 0;
            }
            double readSecs = (System.nanoTime() - t0) / 1e9;
            ctx.log().printf("restore: breakdown clone %d ms, mariadbd %d ms, query %.0f ms (%d items), blobs %.1f s (%d)%n",
                    o.timings().cloneMillis(), o.timings().databaseStartMillis(), queryMs, items.size(), readSecs, withBlob.size());
            metrics.add(new BenchResult.Metric("breakdown: clone all datasets", o.timings().cloneMillis(), "ms", 0));
            metrics.add(new BenchResult.Metric("breakdown: sandbox mariadbd start", o.timings().databaseStartMillis(), "ms", 0));
            metrics.add(new BenchResult.Metric("breakdown: account + folders + all items query (" + items.size() + " rows)",
                    queryMs, "ms", 0));
            metrics.add(new BenchResult.Metric("breakdown: read + gunzip + digest of all message blobs", readSecs, "s", 2));
            metrics.add(new BenchResult.Metric("breakdown: blob read rate", withBlob.size() / readSecs, "messages/s", 0));
            metrics.add(new BenchResult.Metric("breakdown: blob read throughput", bytes / 1e6 / readSecs, "MB/s", 0));

            // The same items through the Restorer: a dry run is the reads with read-ahead and nothing written;
            // the Maildir run adds the writes. Both without JVM start, clone and sandbox start.
            List<MailItem> messages = items.stream().filter(MailItem::message).toList();
            t0 = System.nanoTime();
            RestoreSummary dry;
            try (MaildirWriter untouched = new MaildirWriter(dir.resolve("dry-run-writes-nothing"))) {
                dry = new Restorer(a, tree, blobs, false, true).run(messages, untouched, RestoreProgress.NONE);
            }
            double drySecs = (System.nanoTime() - t0) / 1e9;
            Path out = dir.resolve("maildir-inprocess");
            t0 = System.nanoTime();
            RestoreSummary written;
            try (MaildirWriter maildir = new MaildirWriter(out)) {
                written = new Restorer(a, tree, blobs, false, false).run(messages, maildir, RestoreProgress.NONE);
            }
            double writeSecs = (System.nanoTime() - t0) / 1e9;
            ctx.log().printf("restore: in-process reads with read-ahead %.1f s (%d), reads + Maildir writes %.1f s (%d)%n",
                    drySecs, dry.restored(), writeSecs, written.restored());
            metrics.add(new BenchResult.Metric("breakdown: blob reads with read-ahead (Restorer dry run) rate",
                    dry.restored() / drySecs, "messages/s", 0));
            metrics.add(new BenchResult.Metric("breakdown: reads + Maildir writes in-process rate",
                    written.restored() / writeSecs, "messages/s", 0));
        }
    }

    private static JsonNode zmsnap(Path zmsnap, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(zmsnap.toString());
        cmd.addAll(List.of(args));
        Proc.Result r = Proc.run(COMMAND_TIMEOUT, cmd);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + r.exitCode() + ":\n" + r.stdout() + r.stderr());
        }
        return JSON.readTree(r.stdout());
    }

    private static long inboxCount(ImapServer imap, String user) {
        try (ImapClient c = imap.loginAs(user)) {
            long n = c.examine("INBOX").exists();
            c.logout();
            return n;
        }
    }

    private static long countMaildirFiles(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> p.getParent().getFileName().toString().matches("cur|new")).count();
        }
    }

    static double median(List<Double> values) {
        List<Double> s = values.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
