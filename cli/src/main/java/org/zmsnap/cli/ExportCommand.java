package org.zmsnap.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.zmsnap.AgentContext;
import org.zmsnap.export.ExportCheck;
import org.zmsnap.export.ExportFiles;
import org.zmsnap.export.ExportManifest;
import org.zmsnap.export.Exporter;
import org.zmsnap.restore.RestoreProgress;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.restore.session.OpenedSnapshot;
import org.zmsnap.restore.target.EmlWriter;
import org.zmsnap.restore.target.MboxWriter;
import org.zmsnap.restore.target.RestoreTarget;
import org.zmsnap.runtime.Version;
import org.zmsnap.snapshot.SnapshotProperties;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.AccountResolver;
import org.zmsnap.zimbra.BlobLocator;
import org.zmsnap.zimbra.FolderTree;
import org.zmsnap.zimbra.ItemFilter;
import org.zmsnap.zimbra.ItemSearch;
import org.zmsnap.zimbra.RestoreException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code zmsnap export}: what a search selects, written to files with a manifest of SHA-256 digests; {@code --check DIR}. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export the items a search selects (same criteria as zmsnap search) into a new directory, one",
                "subdirectory per account, as .eml files or one mbox per folder, with manifest.json recording the set, the",
                "command, and every item and file with its SHA-256 (legal discovery). --check DIR re-hashes the files: exit 0",
                "when all match the manifest, 1 naming each missing, added or altered file."})
final class ExportCommand implements Callable<Integer> {
    enum Format { eml, mbox }

    @Mixin
    ConfigOption config;

    @Option(names = "--check", paramLabel = "DIR", description = "verify an export directory against its manifest.json instead")
    Path check;

    @Option(names = "--snapshot", paramLabel = "TAG|latest|TIME", description = SetOptions.SNAPSHOT)
    String snapshot;

    @Mixin
    DrTargetOption target;

    @ArgGroup(multiplicity = "0..1")
    Who who;

    static final class Who {
        @Option(names = "--account", required = true, paramLabel = "EMAIL|ZIMBRAID|MAILBOXID", description = SetOptions.ACCOUNT)
        String account;

        @Option(names = "--all-accounts", required = true, description = "every mailbox in the set")
        boolean all;
    }

    @Option(names = "--folder", paramLabel = "PATH", description = "only this folder, e.g. /Inbox/Projects (default: every folder)")
    String folder;

    @Option(names = "--recursive", description = "with --folder: the folders below it too")
    boolean recursive;

    @Option(names = "--deleted", description = "only items in the snapshot that are no longer in the live mailbox")
    boolean deleted;

    @Mixin
    ItemFilterOptions filters;

    @Option(names = "--to-dir", paramLabel = "DIR", description = "a new or empty directory (a non-empty one is refused)")
    Path toDir;

    @Option(names = "--format", paramLabel = "eml|mbox", defaultValue = "eml",
            description = "one .eml file per message, or one mbox file per folder (default: ${DEFAULT-VALUE})")
    Format format;

    @Option(names = "--json", description = "print the summary as JSON")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (check != null) {
            return check();
        }
        CommandLine cl = spec.commandLine();
        if (snapshot == null || who == null || toDir == null) {
            throw new CommandLine.ParameterException(cl, "give --snapshot, --account A or --all-accounts, and --to-dir DIR"
                    + " (or --check DIR to verify an export)");
        }
        if (recursive && folder == null) {
            throw new CommandLine.ParameterException(cl, "--recursive goes with --folder PATH");
        }
        ItemFilter filter = filters.filter(cl, Optional.ofNullable(folder), recursive, deleted);
        Path dir = Exporter.refuseNonEmpty(toDir);
        List<String> words = new ArrayList<>(List.of("zmsnap"));
        words.addAll(cl.getParseResult().originalArgs());
        Function<Path, RestoreTarget> writers = format == Format.mbox ? MboxWriter::new : EmlWriter::new;
        try (AgentContext ctx = new AgentContext(config.load())) {
            RestoreService service = new RestoreService(ctx, target.get(), target.source());
            SnapshotSet set = service.choose(snapshot);
            ExportManifest.Snapshot recorded = recorded(set, service);
            Exporter.Result r;
            int mailboxes;
            try (OpenedSnapshot o = service.open(set); Connection c = o.connect()) {
                List<Account> accounts = who.all ? AccountResolver.all(c) : List.of(service.account(c, who.account));
                BlobLocator blobs = BlobLocator.load(c, o::map);
                ItemSearch.Result found = new ItemSearch(c, blobs, a -> service.liveIds(a.accountId())).run(accounts, filter, 0);
                mailboxes = found.accounts();
                PrintWriter err = cl.getErr();
                RestoreProgress progress = json ? RestoreProgress.NONE : ProgressPrinter.forStderr(err);
                r = new Exporter(dir, blobs, a -> FolderTree.load(c, a), writers).run(found.hits(), progress);
                List<String> problems = new ArrayList<>();
                found.unreadable().forEach(u -> problems.add(u.account().email() + ": not exported, unreadable: item " + u.item().id()
                        + " in " + u.folder() + ": " + u.why()));
                problems.addAll(r.problems());
                r = new Exporter.Result(r.items(), problems);
                if (o.interrupted()) {
                    throw new RestoreException("interrupted: the export in " + dir + " is incomplete and has no manifest");
                }
            } catch (java.sql.SQLException e) {
                throw new RestoreException("cannot read the set's database: " + e.getMessage(), e);
            }
            ExportManifest m = new ExportManifest(ExportManifest.VERSION, Version.get(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                    words, format.name(), recorded, r.items(), List.copyOf(ExportFiles.scan(dirMade(dir)).values()), r.problems());
            Path file = m.write(dir);
            print(m, mailboxes, dir, ExportFiles.sha256(readAll(file)));
            return r.problems().isEmpty() ? Main.OK : Main.FAILURE;
        }
    }

    /** The set as the manifest records it: tag, whose, host, creation, and each dataset snapshot's GUID. */
    private static ExportManifest.Snapshot recorded(SnapshotSet set, RestoreService service) {
        List<ExportManifest.Dataset> ds = set.members().values().stream()
                .sorted(Comparator.comparing(i -> i.name().toString()))
                .map(i -> new ExportManifest.Dataset(i.name().toString(), Long.toUnsignedString(i.guid()), i.creation().toString()))
                .toList();
        String created = set.members().values().stream().map(i -> i.creation()).min(Comparator.naturalOrder())
                .map(Instant::toString).orElse(set.tag().time().toString());
        return new ExportManifest.Snapshot(set.tag().name(), service.source().describe(),
                set.property(SnapshotProperties.HOST).orElse(service.source().describe()), created, ds);
    }

    private static Path dirMade(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new RestoreException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new RestoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private void print(ExportManifest m, int mailboxes, Path dir, String manifestSha) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("snapshot", m.snapshot().tag());
            doc.put("directory", dir.toString());
            doc.put("format", m.format());
            doc.put("mailboxes_searched", mailboxes);
            doc.put("items", m.items().size());
            doc.put("files", m.files().size());
            doc.put("bytes", m.items().stream().mapToLong(ExportManifest.Item::bytes).sum());
            doc.put("manifest_sha256", manifestSha);
            doc.put("problems", m.problems());
            out.println(Json.write(doc));
            return;
        }
        m.problems().forEach(p -> spec.commandLine().getErr().println(p));
        out.println("exported " + m.items().size() + " items of " + mailboxes + (mailboxes == 1 ? " mailbox" : " mailboxes") + " from "
                + m.snapshot().tag() + " to " + dir + " (" + m.format() + ", " + m.files().size() + " files)"
                + (m.problems().isEmpty() ? "" : "; " + m.problems().size() + " problems (above, and in the manifest)"));
        out.println("manifest.json sha256 " + manifestSha + " (keep this apart from the export: it vouches for the manifest)");
    }

    private int check() {
        CommandLine cl = spec.commandLine();
        if (snapshot != null || who != null || toDir != null) {
            throw new CommandLine.ParameterException(cl, "--check DIR takes no --snapshot, --account or --to-dir");
        }
        if (!Files.isDirectory(check)) {
            throw new CommandLine.ParameterException(cl, "--check: " + check + " is not a directory");
        }
        ExportCheck r = ExportCheck.of(check);
        PrintWriter out = cl.getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("directory", check.toString());
            doc.put("intact", r.intact());
            doc.put("matched", r.matched());
            doc.put("missing", r.missing());
            doc.put("added", r.added());
            doc.put("altered", r.altered());
            out.println(Json.write(doc));
        } else {
            r.missing().forEach(p -> out.println("missing: " + p));
            r.added().forEach(p -> out.println("added: " + p));
            r.altered().forEach(p -> out.println("altered: " + p));
            out.println(r.intact() ? check + ": all " + r.matched() + " files match manifest.json"
                    : check + ": " + r.matched() + " files match, " + r.missing().size() + " missing, " + r.added().size() + " added, "
                    + r.altered().size() + " altered");
        }
        return r.intact() ? Main.OK : Main.FAILURE;
    }
}
