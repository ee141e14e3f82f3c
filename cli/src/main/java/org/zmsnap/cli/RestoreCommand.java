package org.zmsnap.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import org.zmsnap.restore.RestoreProgress;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.restore.RestoreSummary;
import org.zmsnap.restore.Restorer;
import org.zmsnap.restore.session.OpenedSnapshot;
import org.zmsnap.restore.session.RestoreLeftovers;
import org.zmsnap.restore.target.EmlWriter;
import org.zmsnap.restore.target.ImapAndFiles;
import org.zmsnap.restore.target.MaildirWriter;
import org.zmsnap.restore.target.MboxWriter;
import org.zmsnap.restore.target.OutputDirs;
import org.zmsnap.restore.target.RestoreTarget;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.BlobLocator;
import org.zmsnap.zimbra.FolderTree;
import org.zmsnap.zimbra.ItemFilter;
import org.zmsnap.zimbra.ItemQuery;
import org.zmsnap.zimbra.ItemReader;
import org.zmsnap.zimbra.ItemSearch;
import org.zmsnap.zimbra.MailItem;
import org.zmsnap.zimbra.RestoreUsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code zmsnap restore item|folder|mailbox}: from a snapshot into files or the live account; {@code --cleanup}. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore messages, a folder or a whole mailbox from a snapshot into the live account (--to-imap)",
                "or to files (--to-dir with --format eml|maildir|mbox). A rerun does not duplicate what is already there.",
                "--from-salvage DIR --to-imap re-delivers the messages a failback salvaged (DIR/manifest.json).",
                "--cleanup removes clones and sandbox servers a crashed restore left behind."})
final class RestoreCommand implements Callable<Integer> {
    enum Kind { item, folder, mailbox }

    enum Format { eml, maildir, mbox }

    @Mixin
    ConfigOption config;

    @Parameters(index = "0", arity = "0..1", paramLabel = "item|folder|mailbox",
            description = "what to restore: the messages named by --item, the folder named by --folder, or the whole mailbox"
                    + " (without Trash and Junk)")
    Kind kind;

    @Option(names = "--cleanup", description = "remove what crashed restores left (clones, sandbox mariadbd, session dirs)")
    boolean cleanup;

    @Option(names = "--snapshot", paramLabel = "TAG|latest|TIME",
            description = SetOptions.SNAPSHOT)
    String snapshot;

    @Mixin
    DrTargetOption target;

    @Option(names = "--account", paramLabel = "EMAIL|ZIMBRAID|MAILBOXID",
            description = SetOptions.ACCOUNT)
    String account;

    @Option(names = "--item", split = ",", paramLabel = "ID", description = "with item: the item ids to restore, as browse shows them (4711,4712)")
    List<Integer> itemIds = new ArrayList<>();

    @Option(names = "--folder", paramLabel = "PATH", description = "the folder as browse shows it, e.g. /Inbox/Projects")
    String folder;

    @Option(names = "--recursive", description = "with --folder: the folders below it too")
    boolean recursive;

    @Option(names = "--deleted", description = "only what is in the snapshot but no longer in the live mailbox")
    boolean deleted;

    @Mixin
    ItemFilterOptions filters;

    @Option(names = "--to-imap", description = "into the live account over IMAP (restore.imap in the config)")
    boolean toImap;

    @Option(names = "--to-dir", paramLabel = "DIR", description = "write files into this directory instead of the live account;"
            + " with --to-imap: where contacts, appointments, tasks and documents go (IMAP takes messages only)")
    Path toDir;

    @Option(names = "--format", paramLabel = "eml|maildir|mbox", defaultValue = "eml",
            description = "with --to-dir: one .eml file per message, a Maildir per folder, or one mbox file per folder (default: ${DEFAULT-VALUE})")
    Format format;

    @Option(names = "--into-folder", paramLabel = "NAME", description = "recreate the folder path under this folder, e.g. \"Restored 2026-11-22\"")
    String intoFolder;

    @Option(names = "--target-account", paramLabel = "EMAIL", description = "restore into this account instead of the original")
    String targetAccount;

    @Option(names = "--from-salvage", paramLabel = "DIR",
            description = "re-deliver what a failback salvaged (DIR/manifest.json) into the live accounts; with --to-imap")
    Path fromSalvage;

    @Option(names = "--into-original-folders", description = "with --from-salvage: each message into its recorded folder"
            + " instead of \"Recovered <date>\"")
    boolean intoOriginalFolders;

    @Option(names = "--strict", description = "a blob whose digest does not match is a failure, not a warning")
    boolean strict;

    @Option(names = "--dry-run", description = "read and check everything, write nothing")
    boolean dryRun;

    @Option(names = "--json", description = "print the summary as JSON")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws SQLException {
        if (cleanup) {
            return cleanup();
        }
        if (fromSalvage != null || intoOriginalFolders) {
            return new SalvageRestore(this).call();
        }
        check();
        ItemFilter filter = filters.filter(spec.commandLine(), Optional.ofNullable(folder), recursive, deleted);
        if (filter.narrows() && kind == Kind.item) {
            throw new CommandLine.ParameterException(spec.commandLine(), "restore item takes --item ids; criteria such as --from"
                    + " or --text go with restore folder or restore mailbox (zmsnap search lists what they select)");
        }
        try (AgentContext ctx = new AgentContext(config.load())) {
            RestoreService service = new RestoreService(ctx, target.get(), target.source());
            try (OpenedSnapshot o = service.open(snapshot); Connection c = o.connect()) {
                Account a = service.account(c, account);
                FolderTree tree = FolderTree.load(c, a);
                BlobLocator blobs = BlobLocator.load(c, o::map);
                ItemSearch search = new ItemSearch(c, blobs, acc -> service.liveIds(acc.accountId()));
                ItemSearch.Selected sel;
                if (filter.narrows()) {
                    // Exactly what 'zmsnap search' lists for the same criteria: the same selection code.
                    Set<Integer> folderIds = kind == Kind.folder ? ItemSearch.folders(tree, filter) : Set.of();
                    sel = search.select(a, tree, filter, folderIds, 0);
                } else {
                    sel = search.refine(a, tree, filter, unfiltered(c, a, tree, o, filter), 0);
                }
                List<MailItem> items = sel.items();
                List<ItemSearch.Unreadable> unreadable = sel.unreadable();
                PrintWriter err = spec.commandLine().getErr();
                unreadable.forEach(u -> err.println("not restored, unreadable: item " + u.item().id() + " in " + u.folder() + ": " + u.why()));
                RestoreProgress progress = kind == Kind.item || json ? RestoreProgress.NONE : ProgressPrinter.forStderr(err);
                try (RestoreTarget target = target(service, a, o.tag())) {
                    RestoreSummary s = new Restorer(a, tree, blobs, strict, dryRun).run(items, target, progress);
                    print(s, o, a, service.source(), target);
                    return s.failed() > 0 || !unreadable.isEmpty() ? Main.FAILURE : Main.OK;
                }
            }
        }
    }

    /** Without criteria: the rows of the ids, the folder or the mailbox (without Trash and Junk); --deleted is ItemSearch's. */
    private List<MailItem> unfiltered(Connection c, Account a, FolderTree tree, OpenedSnapshot o, ItemFilter filter) {
        ItemQuery q = ItemQuery.all();
        if (kind == Kind.item) {
            q = q.withIds(new HashSet<>(itemIds));
        } else if (kind == Kind.folder) {
            q = q.withFolders(ItemSearch.folders(tree, filter));
        }
        List<MailItem> items = ItemReader.read(c, a, q);
        if (kind == Kind.item) {
            Set<Integer> found = new HashSet<>();
            items.forEach(i -> found.add(i.id()));
            List<Integer> unknown = itemIds.stream().filter(i -> !found.contains(i)).toList();
            if (!unknown.isEmpty()) {
                throw new RestoreUsageException("no item " + unknown + " in " + a.email() + " in " + o.tag()
                        + " (zmsnap browse lists them)");
            }
        }
        return kind == Kind.mailbox ? tree.withoutTrashAndJunk(items) : items;
    }

    private RestoreTarget target(RestoreService service, Account a, String tag) {
        if (dryRun && !toImap) {
            return new EmlWriter(toDir);
        }
        if (toImap) {
            // What IMAP cannot carry (contacts, appointments, tasks, documents) goes to files: --to-dir, or a directory
            // of its own under the workdir (restore --cleanup leaves it: it is no session).
            String into = targetAccount != null ? targetAccount : a.email();
            Path files = toDir != null ? toDir : OutputDirs.of(service.config().workdir().resolve("items"), List.of(into, tag));
            Path zmmailbox = service.config().zmprov().command().map(p -> p.resolveSibling("zmmailbox")).orElse(ImapAndFiles.ZMMAILBOX);
            return new ImapAndFiles(service.imap(into, Optional.ofNullable(intoFolder)), files, zmmailbox);
        }
        return switch (format) {
            case eml -> new EmlWriter(toDir);
            case maildir -> new MaildirWriter(toDir);
            case mbox -> new MboxWriter(toDir);
        };
    }

    private void check() {
        CommandLine cl = spec.commandLine();
        if (kind == null) {
            throw new CommandLine.ParameterException(cl, "say what to restore: item, folder or mailbox (or --cleanup)");
        }
        if (snapshot == null || account == null) {
            throw new CommandLine.ParameterException(cl, "--snapshot and --account are required");
        }
        if (!toImap && toDir == null) {
            throw new CommandLine.ParameterException(cl, "give --to-imap or --to-dir DIR (or both: messages over IMAP, the"
                    + " other items as files in DIR)");
        }
        if (kind == Kind.item && itemIds.isEmpty() && !deleted) {
            throw new CommandLine.ParameterException(cl, "restore item needs --item ID[,ID...] (or --deleted)");
        }
        if (kind == Kind.folder && folder == null) {
            throw new CommandLine.ParameterException(cl, "restore folder needs --folder PATH");
        }
        if (kind == Kind.item && itemIds.isEmpty() && deleted) {
            kind = Kind.mailbox;
        }
    }

    private void print(RestoreSummary s, OpenedSnapshot o, Account a, org.zmsnap.restore.session.RestoreSource source, RestoreTarget target) {
        Optional<String> files = s.notMessages() > 0 && target instanceof ImapAndFiles f ? Optional.of(f.dir().toString()) : Optional.empty();
        var out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("snapshot", o.tag());
            m.put("account", a.email());
            m.put("source", source.describe());
            m.put("dry_run", dryRun);
            m.put("restored", s.restored());
            m.put("skipped_present", s.skippedPresent());
            m.put("failed", s.failed());
            m.put("not_messages", s.notMessages());
            m.put("failures", s.failures());
            m.put("not_message_items", s.notMessageItems());
            files.ifPresent(f -> m.put("files_dir", f));
            m.put("digest_mismatches", s.digestMismatches());
            m.put("gzip_blobs", s.gzipped());
            m.put("bytes", s.bytes());
            m.put("restore_ms", s.millis());
            m.put("clone_ms", o.timings().cloneMillis());
            m.put("mariadbd_start_ms", o.timings().databaseStartMillis());
            out.println(Json.write(m));
            return;
        }
        out.printf("%s %s from %s%s: restored %d, skipped (already present) %d, failed %d, not messages %d%n",
                dryRun ? "would restore" : "restored", a.email(), o.tag(), source.copies() ? " on " + source.describe() : "", s.restored(), s.skippedPresent(), s.failed(), s.notMessages());
        s.failures().forEach(f -> out.println("  failed: " + f));
        s.digestMismatches().forEach(f -> out.println("  digest mismatch: " + f));
        if (files.isPresent()) {
            out.println("  not messages: " + target.filesInstead().orElseThrow());
        }
        String prefix = files.isPresent() ? "  not in the account: " : "  not restored: ";
        s.notMessageItems().forEach(f -> out.println(prefix + f));
    }

    private int cleanup() {
        try (AgentContext ctx = new AgentContext(config.load())) {
            RestoreLeftovers leftovers = target.get().isEmpty() && target.source().isEmpty() ? RestoreService.leftoversOfThisHost(ctx)
                    : new RestoreService(ctx, target.get(), target.source()).leftovers();
            RestoreLeftovers.Removed r = leftovers.remove(false);
            var out = spec.commandLine().getOut();
            out.println("removed " + r.sessions().size() + " restore sessions and " + r.clones().size() + " stray clones");
            r.sessions().forEach(s -> out.println("  session " + s));
            r.clones().forEach(c -> out.println("  clone " + c));
            return Main.OK;
        }
    }
}
