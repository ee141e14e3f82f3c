package org.zmsnap.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.zmsnap.AgentContext;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.export.ExportFiles;
import org.zmsnap.export.ExportManifest;
import org.zmsnap.export.Exporter;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.restore.RestoreProgress;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.restore.session.OpenedSnapshot;
import org.zmsnap.restore.target.EmlWriter;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.AccountResolver;
import org.zmsnap.zimbra.BlobLocator;
import org.zmsnap.zimbra.FolderTree;
import org.zmsnap.zimbra.ItemFilter;
import org.zmsnap.zimbra.ItemSearch;

/**
 * {@code zmsnap search} in an opened set (as with {@code zmsnap mount}), against baselines run in the same set,
 * alternating: a header search across every mailbox against one hand-written SQL statement per mboxgroup doing the
 * same LIKE, and a {@code --text} scan (a phrase in no message, so every body is read and decoded) against
 * {@code cat} of the same blob files; and an export of every message (eml files, then the manifest's digests of every
 * file), against the same {@code cat}.
 */
public final class SearchBenchmark implements Benchmark {
    @Override
    public String name() {
        return "search";
    }

    @Override
    public String description() {
        return "search --accounts 100 --messages 100 [--rounds 3] [--header-rounds 5] [--seed 42]: header search across all mailboxes vs plain SQL (its own rounds),"
                + " --text messages/s and export messages/s vs cat";
    }

    @Override
    public BenchResult run(BenchContext ctx) throws Exception {
        int accounts = ctx.intArg("--accounts", 100);
        int messages = ctx.intArg("--messages", 100);
        int rounds = ctx.intArg("--rounds", 3);
        int headerRounds = ctx.intArg("--header-rounds", 5);
        long seed = ctx.longArg("--seed", 42);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("accounts", accounts);
        params.put("messages_per_account", messages);
        params.put("rounds", rounds);
        params.put("header_rounds", headerRounds);
        List<BenchResult.Metric> metrics = new ArrayList<>();
        try (SnapshotHost host = new SnapshotHost("8G")) {
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            try (Connection c = host.db.connect()) {
                new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(accounts, messages).withSeed(seed)).generate(c, store);
            }
            Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                    + "restore:\n  workdir: " + host.dir.resolve("restore") + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n");
            String tag;
            try (AgentContext agent = new AgentContext(ConfigLoader.load(cfg))) {
                tag = ((CycleOutcome.Taken) agent.snapshotCycle().run("manual")).report().tag().name();
            }
            try (AgentContext agent = new AgentContext(ConfigLoader.load(cfg));
                 OpenedSnapshot o = new RestoreService(agent).open(tag);
                 Connection c = o.connect()) {
                List<Account> all = AccountResolver.all(c);
                BlobLocator locator = BlobLocator.load(c, o::map);
                ItemSearch search = new ItemSearch(c, locator, a -> Set.of());
                ItemFilter header = filter(Optional.of("alice"), Optional.empty());
                ItemFilter text = filter(Optional.empty(), Optional.of("zz-no-such-phrase-zz"));
                List<Path> blobs;
                try (Stream<Path> s = Files.walk(o.dir().resolve("store"))) {
                    blobs = s.filter(p -> p.getFileName().toString().endsWith(".msg")).toList();
                }
                List<Double> sql = new ArrayList<>();
                List<Double> headerSecs = new ArrayList<>();
                List<Double> cat = new ArrayList<>();
                List<Double> scan = new ArrayList<>();
                List<Double> export = new ArrayList<>();
                ItemFilter everything = new ItemFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.empty(), Optional.empty(), Optional.empty(), false, Set.of(org.zmsnap.zimbra.MailItem.MESSAGE), false,
                        OptionalLong.empty(), OptionalLong.empty(), false);
                long exported = 0;
                long exportedBytes = 0;
                long hits = 0;
                long plain = 0;
                long read = 0;
                // The header search is short next to the scan and the export: it gets rounds of its own, each against its baseline.
                for (int r = 0; r < headerRounds; r++) {
                    long t0 = System.nanoTime();
                    plain = plainSql(c, all, "%alice%");
                    sql.add((System.nanoTime() - t0) / 1e9);
                    t0 = System.nanoTime();
                    hits = search.run(all, header, 0).hits().size();
                    headerSecs.add((System.nanoTime() - t0) / 1e9);
                }
                for (int r = 0; r < rounds; r++) {
                    long t0 = System.nanoTime();
                    cat(blobs);
                    cat.add((System.nanoTime() - t0) / 1e9);
                    t0 = System.nanoTime();
                    ItemSearch.Result res = search.run(all, text, 0);
                    scan.add((System.nanoTime() - t0) / 1e9);
                    read = res.bodiesRead();
                    if (!res.hits().isEmpty() || !res.unreadable().isEmpty()) {
                        throw new IllegalStateException("the scan phrase matched or an item was unreadable: " + res.unreadable());
                    }
                    // What zmsnap export does after opening the set: select, write through the eml target, hash every file.
                    Path dir = Exporter.refuseNonEmpty(host.dir.resolve("export-" + r));
                    t0 = System.nanoTime();
                    List<ItemSearch.Hit> selected = search.run(all, everything, 0).hits();
                    Exporter.Result ex = new Exporter(dir, locator, a -> FolderTree.load(c, a), EmlWriter::new).run(selected, RestoreProgress.NONE);
                    List<ExportManifest.FileEntry> files = List.copyOf(ExportFiles.scan(dir).values());
                    export.add((System.nanoTime() - t0) / 1e9);
                    if (!ex.problems().isEmpty() || files.size() != ex.items().size()) {
                        throw new IllegalStateException("export: " + ex.items().size() + " items, " + files.size() + " files, problems " + ex.problems());
                    }
                    exported = ex.items().size();
                    exportedBytes = ex.items().stream().mapToLong(ExportManifest.Item::bytes).sum();
                    deleteTree(dir);
                }
                if (hits != plain) {
                    throw new IllegalStateException("search found " + hits + " items by sender, plain SQL " + plain);
                }
                double sqlMed = new Stats(sql).median();
                double headerMed = new Stats(headerSecs).median();
                double catMed = new Stats(cat).median();
                double scanMed = new Stats(scan).median();
                double exportMed = new Stats(export).median();
                ctx.log().printf("search: %d mailboxes, header %d hits %.3f s (SQL %.3f s); text scan %d bodies %.2f s (cat %d files %.2f s);"
                        + " export %d items %.2f s%n", all.size(), hits, headerMed, sqlMed, read, scanMed, blobs.size(), catMed, exported, exportMed);
                metrics.add(new BenchResult.Metric("mailboxes", all.size(), "mailboxes", 0));
                metrics.add(new BenchResult.Metric("messages read by the text scan", read, "messages", 0));
                metrics.add(new BenchResult.Metric("header search across all mailboxes (--from), median", headerMed, "s", 3));
                metrics.add(new BenchResult.Metric("baseline: the same LIKE as plain SQL per mboxgroup, median", sqlMed, "s", 3));
                metrics.add(new BenchResult.Metric("header search / plain SQL", headerMed / sqlMed, "ratio", 2));
                metrics.add(new BenchResult.Metric("goal header search <= 2 s met", headerMed <= 2 ? 1 : 0, "1 = yes", 0));
                metrics.add(new BenchResult.Metric("--text scan", read / scanMed, "messages/s", 0));
                metrics.add(new BenchResult.Metric("baseline: cat of the same blob files (batches of 500)", blobs.size() / catMed, "files/s", 0));
                metrics.add(new BenchResult.Metric("--text scan / cat", (read / scanMed) / (blobs.size() / catMed), "ratio", 2));
                metrics.add(new BenchResult.Metric("goal --text >= 2,000 messages/s met", read / scanMed >= 2000 ? 1 : 0, "1 = yes", 0));
                metrics.add(new BenchResult.Metric("export of every message (eml + SHA-256 of every file), items", exported, "items", 0));
                metrics.add(new BenchResult.Metric("export", exported / exportMed, "items/s", 0));
                metrics.add(new BenchResult.Metric("export", exportedBytes / exportMed / 1e6, "MB/s", 1));
                metrics.add(new BenchResult.Metric("export / cat", (exported / exportMed) / (blobs.size() / catMed), "ratio", 2));
            }
            try (AgentContext agent = new AgentContext(ConfigLoader.load(cfg))) {
                new RestoreService(agent).leftovers().remove(true);
            }
        }
        return new BenchResult(name(), params, metrics);
    }

    private static ItemFilter filter(Optional<String> from, Optional<String> text) {
        return new ItemFilter(Optional.empty(), from, Optional.empty(), Optional.empty(), text, Optional.empty(), Optional.empty(), Optional.empty(),
                false, Set.of(), false, OptionalLong.empty(), OptionalLong.empty(), false);
    }

    /** The baseline: one COUNT per mboxgroup with the same condition, no zmsnap code. */
    private static long plainSql(Connection c, List<Account> all, String like) throws Exception {
        long n = 0;
        for (String group : all.stream().map(Account::group).distinct().toList()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + group
                    + ".mail_item WHERE type NOT IN (1, 2, 3, 4, 13) AND LOWER(sender) LIKE ?")) {
                ps.setString(1, like);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    n += rs.getLong(1);
                }
            }
        }
        return n;
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void cat(List<Path> files) throws Exception {
        for (int i = 0; i < files.size(); i += 500) {
            List<String> cmd = new ArrayList<>(List.of("cat"));
            files.subList(i, Math.min(files.size(), i + 500)).forEach(f -> cmd.add(f.toString()));
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("cat exited " + p.exitValue());
            }
        }
    }
}
