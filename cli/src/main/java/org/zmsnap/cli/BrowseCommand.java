package org.zmsnap.cli;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.restore.session.OpenedSnapshot;
import org.zmsnap.restore.target.ImapFlags;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.BlobLocator;
import org.zmsnap.zimbra.Folder;
import org.zmsnap.zimbra.FolderTree;
import org.zmsnap.zimbra.ItemFilter;
import org.zmsnap.zimbra.ItemSearch;
import org.zmsnap.zimbra.MailItem;
import org.zmsnap.zimbra.RestoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code zmsnap browse}: a mailbox as it was in a snapshot. */
@Command(name = "browse", mixinStandardHelpOptions = true,
        description = {"Show a mailbox as it was in a snapshot: the folder tree with message counts, or the messages of",
                "a folder (or those matching --query or the criteria search takes: --from, --text, --since ..., or --deleted:",
                "gone from the live mailbox)."})
final class BrowseCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--snapshot", required = true, paramLabel = "TAG|latest|TIME",
            description = SetOptions.SNAPSHOT)
    String snapshot;

    @Mixin
    DrTargetOption target;

    @Option(names = "--account", required = true, paramLabel = "EMAIL|ZIMBRAID|MAILBOXID",
            description = SetOptions.ACCOUNT)
    String account;

    @Option(names = "--folder", paramLabel = "PATH", description = "list the messages of this folder, e.g. /Inbox/Projects")
    String folder;

    @Option(names = "--query", paramLabel = "TEXT", description = "matches subject, sender and recipients")
    String query;

    @Option(names = "--deleted", description = "only items in the snapshot that are no longer in the live mailbox")
    boolean deleted;

    /** The criteria search and restore take; browse lists messages unless --type says otherwise. */
    @Mixin
    ItemFilterOptions filters;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws SQLException {
        try (AgentContext ctx = new AgentContext(config.load())) {
            RestoreService service = new RestoreService(ctx, target.get(), target.source());
            try (OpenedSnapshot o = service.open(snapshot); Connection c = o.connect()) {
                Account a = service.account(c, account);
                FolderTree tree = FolderTree.load(c, a);
                var out = spec.commandLine().getOut();
                ItemFilter asked = filters.filter(spec.commandLine(), Optional.ofNullable(folder), false, deleted)
                        .withAny(Optional.ofNullable(query));
                boolean listMessages = folder != null || deleted || asked.narrows();
                ItemFilter filter = asked.typesOrElse(Set.of(MailItem.MESSAGE));
                if (!listMessages) {
                    Map<Integer, Integer> counts = FolderTree.messageCounts(c, a);
                    if (json) {
                        List<Map<String, Object>> l = new ArrayList<>();
                        for (Folder f : tree.all()) {
                            l.add(Map.of("id", f.id(), "path", f.path(), "messages", counts.getOrDefault(f.id(), 0)));
                        }
                        out.println(Json.write(Map.of("account", a.email(), "snapshot", o.tag(), "source", service.source().describe(), "folders", l)));
                    } else {
                        out.println(a.email() + " (mailbox " + a.mailboxId() + ") in " + o.tag()
                                + (service.source().copies() ? " on " + service.source().describe() : ""));
                        for (Folder f : tree.all()) {
                            out.printf("%7d  %s%n", counts.getOrDefault(f.id(), 0), f.path());
                        }
                    }
                    return Main.OK;
                }
                ItemSearch.Selected sel = new ItemSearch(c, BlobLocator.load(c, o::map), acc -> service.liveIds(acc.accountId()))
                        .select(a, tree, filter, ItemSearch.folders(tree, filter), 0);
                List<MailItem> items = sel.items();
                sel.unreadable().forEach(u -> spec.commandLine().getErr().println("unreadable: item " + u.item().id() + " in " + u.folder()
                        + ": " + u.why()));
                if (json) {
                    List<Map<String, Object>> l = new ArrayList<>();
                    for (MailItem i : items) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("id", i.id());
                        m.put("folder", tree.byId(i.folderId()).map(Folder::path).orElse("?"));
                        m.put("date", i.date().toString());
                        m.put("from", i.sender());
                        m.put("subject", i.subject());
                        m.put("size", i.size());
                        m.put("flags", List.copyOf(ImapFlags.of(i)));
                        l.add(m);
                    }
                    out.println(Json.write(Map.of("account", a.email(), "snapshot", o.tag(), "messages", l)));
                } else {
                    out.printf("%-8s %-20s %-28s %9s %-18s %s%n", "ID", "DATE", "FROM", "SIZE", "FLAGS", "SUBJECT");
                    for (MailItem i : items) {
                        out.printf("%-8d %-20s %-28s %9d %-18s %s%n", i.id(), i.date().toString().replace("T", " ").replace("Z", ""),
                                cut(i.sender(), 28), i.size(), String.join("", ImapFlags.of(i)), i.subject());
                    }
                    out.println(items.size() + " messages");
                }
                if (!sel.unreadable().isEmpty()) {
                    return Main.FAILURE;
                }
                return Main.OK;
            }
        } catch (RestoreException e) {
            throw e;
        }
    }

    private static String cut(String s, int n) {
        return s == null ? "" : s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
