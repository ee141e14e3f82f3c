package org.zmsnap.zimbra;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A mailbox's folders (type 1) with paths built by walking {@code name} up to USER_ROOT (1). Folders outside
 * USER_ROOT (ROOT, Tags, Conversations) have no user-visible path and are left out. Loaded from the database it
 * also keeps every folder-like row's parent link, path or not ({@link #links()}): verify's orphan check reads them
 * from the same query.
 */
public final class FolderTree {
    static final int USER_ROOT = 1;
    /** Zimbra's system folder ids (Mailbox.ID_FOLDER_TRASH and ID_FOLDER_SPAM), the same in every mailbox. */
    static final int TRASH = 3;
    static final int JUNK = 4;
    /** Folder-like rows: folder, search folder, mountpoint. */
    static final String FOLDER_TYPES = "1, 2, 13";
    private final Map<Integer, Folder> byId;
    private final List<Link> links;

    /**
     * One folder-like row's place in the tree, as the table has it.
     *
     * @param parentId the row's {@code parent_id}; null when the column is NULL
     * @param type     {@code mail_item.type}: 1 folder, 2 search folder, 13 mountpoint
     */
    public record Link(int id, Integer parentId, int type) {}

    private record Row(int id, int parent, String name) {}

    private FolderTree(Map<Integer, Folder> byId, List<Link> links) {
        this.byId = Map.copyOf(byId);
        this.links = List.copyOf(links);
    }

    /** A tree from folders already known (tests, and callers that built them elsewhere); their links are theirs. */
    public static FolderTree of(java.util.Collection<Folder> folders) {
        Map<Integer, Folder> m = new HashMap<>();
        folders.forEach(f -> m.put(f.id(), f));
        return new FolderTree(m, folders.stream().map(f -> new Link(f.id(), f.parentId(), MailItem.FOLDER))
                .sorted(Comparator.comparingInt(Link::id)).toList());
    }

    public static FolderTree load(Connection c, Account a) {
        return load(c, List.of(a)).get(a.mailboxId());
    }

    /**
     * The trees of several mailboxes of one {@code mboxgroup} in one query: searching every mailbox must not cost a
     * round trip per mailbox.
     *
     * @return mailbox id to its tree, one for each of {@code accounts} (empty for a mailbox without folders)
     */
    public static Map<Integer, FolderTree> load(Connection c, List<Account> accounts) {
        Map<Integer, FolderTree> out = new HashMap<>();
        if (accounts.isEmpty()) {
            return out;
        }
        String group = Account.groupOf(accounts);
        String ids = String.join(", ", Collections.nCopies(accounts.size(), "?"));
        Map<Integer, Map<Integer, Row>> rows = new HashMap<>();
        Map<Integer, List<Link>> links = new HashMap<>();
        // Search folders and mountpoints are few; reading them here spares verify a query per batch.
        try (PreparedStatement ps = c.prepareStatement("SELECT mailbox_id, id, parent_id, name, type FROM " + group
                + ".mail_item WHERE mailbox_id IN (" + ids + ") AND type IN (" + FOLDER_TYPES + ") ORDER BY mailbox_id, id")) {
            for (int i = 0; i < accounts.size(); i++) {
                ps.setInt(i + 1, accounts.get(i).mailboxId());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int id = rs.getInt(2);
                    int parent = rs.getInt(3);
                    Integer parentId = rs.wasNull() ? null : parent;
                    int type = rs.getInt(5);
                    links.computeIfAbsent(rs.getInt(1), k -> new ArrayList<>()).add(new Link(id, parentId, type));
                    if (type == MailItem.FOLDER) {
                        // Paths run through folders only; a NULL parent (0) reaches nothing, as before.
                        rows.computeIfAbsent(rs.getInt(1), k -> new HashMap<>()).put(id, new Row(id, parent, rs.getString(4)));
                    }
                }
            }
        } catch (SQLException e) {
            throw new RestoreException("cannot read the folders of " + Account.describe(accounts) + ": " + e.getMessage(), e);
        }
        for (Account a : accounts) {
            Map<Integer, Row> mine = rows.getOrDefault(a.mailboxId(), Map.of());
            Map<Integer, Folder> tree = new HashMap<>();
            for (Row r : mine.values()) {
                pathOf(r.id(), mine, 0).ifPresent(p -> tree.put(r.id(), new Folder(r.id(), r.parent(), p)));
            }
            out.put(a.mailboxId(), new FolderTree(tree, links.getOrDefault(a.mailboxId(), List.of())));
        }
        return out;
    }

    /** How many messages each folder of the mailbox holds directly (browse's listing); a folder without any is absent. */
    public static Map<Integer, Integer> messageCounts(Connection c, Account a) {
        Map<Integer, Integer> counts = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT folder_id, COUNT(*) FROM " + a.group()
                + ".mail_item WHERE mailbox_id = ? AND type = 5 GROUP BY folder_id")) {
            ps.setInt(1, a.mailboxId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getInt(1), rs.getInt(2));
                }
            }
        } catch (SQLException e) {
            throw new RestoreException("cannot count the messages of " + a.email() + ": " + e.getMessage(), e);
        }
        return counts;
    }

    private static Optional<String> pathOf(int id, Map<Integer, Row> rows, int depth) {
        if (id == USER_ROOT) {
            return Optional.of("/");
        }
        Row r = rows.get(id);
        // depth bound and self-parent check: a damaged table must not loop forever
        if (r == null || depth > 200 || r.parent() == id) {
            return Optional.empty();
        }
        return pathOf(r.parent(), rows, depth + 1).map(p -> (p.equals("/") ? "/" : p + "/") + r.name());
    }

    /**
     * What restoring a whole mailbox brings back: everything but what is in Trash or Junk, or in a folder below them (a
     * folder the user deleted sits in Trash). The user threw it away; asking for those folders by name brings it back.
     */
    public List<MailItem> withoutTrashAndJunk(List<MailItem> items) {
        return items.stream().filter(i -> !thrownAway(i.folderId())).toList();
    }

    private boolean thrownAway(int folderId) {
        Folder f = byId.get(folderId);
        for (int depth = 0; f != null && depth <= 200; depth++) {
            if (f.id() == TRASH || f.id() == JUNK) {
                return true;
            }
            f = f.parentId() == f.id() ? null : byId.get(f.parentId());
        }
        return folderId == TRASH || folderId == JUNK;
    }

    /** Every folder-like row of the mailbox (folders, search folders, mountpoints), with or without a path, by id. */
    public List<Link> links() {
        return links;
    }

    public List<Folder> all() {
        return byId.values().stream().sorted(Comparator.comparing(Folder::path)).toList();
    }

    public Optional<Folder> byId(int id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** By path, with or without the leading "/"; exact first, then ignoring case. Unknown → usage error. */
    public Folder find(String path) {
        String p = path.startsWith("/") ? path : "/" + path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        String want = p;
        Optional<Folder> exact = byId.values().stream().filter(f -> f.path().equals(want)).findFirst();
        if (exact.isPresent()) {
            return exact.get();
        }
        List<Folder> ci = byId.values().stream().filter(f -> f.path().equalsIgnoreCase(want)).toList();
        if (ci.size() == 1) {
            return ci.get(0);
        }
        throw new RestoreUsageException("no folder '" + path + "' in this mailbox; folders: "
                + String.join(", ", all().stream().map(Folder::path).filter(x -> !x.equals("/")).toList()));
    }

    /** {@code folder} and, when recursive, every folder below it. */
    public List<Folder> subtree(Folder folder, boolean recursive) {
        if (!recursive) {
            return List.of(folder);
        }
        List<Folder> out = new ArrayList<>();
        for (Folder f : all()) {
            if (f.id() == folder.id() || folder.path().equals("/") || f.path().startsWith(folder.path() + "/")) {
                out.add(f);
            }
        }
        return out;
    }
}
