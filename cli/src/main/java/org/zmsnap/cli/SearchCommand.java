package org.zmsnap.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.restore.session.OpenedSnapshot;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.AccountResolver;
import org.zmsnap.zimbra.BlobLocator;
import org.zmsnap.zimbra.ItemFilter;
import org.zmsnap.zimbra.ItemSearch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code zmsnap search}: find items in a snapshot by what the user remembers, in one mailbox or all. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"Find items in a snapshot by sender, recipient, subject, text, date, folder, type or size, in one mailbox",
                "or all of them (Trash and Junk included). Exit 1 when an item's text could not be read (listed, never skipped)."})
final class SearchCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--snapshot", required = true, paramLabel = "TAG|latest|TIME",
            description = SetOptions.SNAPSHOT)
    String snapshot;

    @Mixin
    DrTargetOption target;

    @ArgGroup(multiplicity = "1")
    Who who;

    static final class Who {
        @Option(names = "--account", required = true, paramLabel = "EMAIL|ZIMBRAID|MAILBOXID",
                description = SetOptions.ACCOUNT)
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

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0", description = "stop after N items (default: all)")
    int limit;

    @Option(names = "--json", description = "print the items as JSON")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws SQLException {
        CommandLine cl = spec.commandLine();
        if (limit < 0) {
            throw new CommandLine.ParameterException(cl, "--limit must be 0 (all) or more, not " + limit);
        }
        if (recursive && folder == null) {
            throw new CommandLine.ParameterException(cl, "--recursive goes with --folder PATH");
        }
        ItemFilter filter = filters.filter(cl, Optional.ofNullable(folder), recursive, deleted);
        try (AgentContext ctx = new AgentContext(config.load())) {
            RestoreService service = new RestoreService(ctx, target.get(), target.source());
            try (OpenedSnapshot o = service.open(snapshot); Connection c = o.connect()) {
                List<Account> accounts = who.all ? AccountResolver.all(c) : List.of(service.account(c, who.account));
                ItemSearch search = new ItemSearch(c, BlobLocator.load(c, o::map), a -> service.liveIds(a.accountId()));
                ItemSearch.Result r = search.run(accounts, filter, limit);
                print(r, o.tag());
                return r.unreadable().isEmpty() ? Main.OK : Main.FAILURE;
            }
        }
    }

    private void print(ItemSearch.Result r, String tag) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> items = new ArrayList<>();
            for (ItemSearch.Hit h : r.hits()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("account", h.account().email());
                m.put("mailbox", h.account().mailboxId());
                m.put("id", h.item().id());
                m.put("folder", h.folder());
                m.put("type", h.item().typeName());
                m.put("date", h.item().date().toString());
                m.put("from", h.item().sender());
                m.put("subject", h.item().subject());
                m.put("size", h.item().size());
                items.add(m);
            }
            List<Map<String, Object>> bad = new ArrayList<>();
            for (ItemSearch.Unreadable u : r.unreadable()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("account", u.account().email());
                m.put("mailbox", u.account().mailboxId());
                m.put("id", u.item().id());
                m.put("folder", u.folder());
                m.put("detail", u.why());
                bad.add(m);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("snapshot", tag);
            doc.put("mailboxes_searched", r.accounts());
            doc.put("limited", r.limited());
            doc.put("items", items);
            doc.put("unreadable", bad);
            out.println(Json.write(doc));
            return;
        }
        out.printf("%-28s %-24s %8s %-11s %-20s %-28s %9s %s%n", "ACCOUNT", "FOLDER", "ID", "TYPE", "DATE", "FROM", "SIZE", "SUBJECT");
        for (ItemSearch.Hit h : r.hits()) {
            out.printf("%-28s %-24s %8d %-11s %-20s %-28s %9d %s%n", cut(h.account().email(), 28), cut(h.folder(), 24), h.item().id(),
                    h.item().typeName(), h.item().date().toString().replace("T", " ").replace("Z", ""), cut(h.item().sender(), 28),
                    h.item().size(), h.item().subject() == null ? "" : h.item().subject());
        }
        for (ItemSearch.Unreadable u : r.unreadable()) {
            out.println("unreadable: " + u.account().email() + " " + u.folder() + " item " + u.item().id() + ": " + u.why());
        }
        out.println(r.hits().size() + " items in " + r.accounts() + (r.accounts() == 1 ? " mailbox" : " mailboxes") + " of " + tag
                + (r.limited() ? " (stopped at --limit " + limit + "; there may be more)" : "")
                + (r.bodiesRead() > 0 ? ", " + r.bodiesRead() + " messages read for --text" : "")
                + (r.unreadable().isEmpty() ? "" : ", " + r.unreadable().size() + " unreadable"));
    }

    private static String cut(String s, int n) {
        return s == null ? "" : s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }
}
