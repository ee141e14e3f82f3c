package org.zmsnap.restore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A mailbox's folders (type 1) with paths built by walking {@code name} up to USER_ROOT (1). Folders outside
 * USER_ROOT (ROOT, Tags, Conversations) have no user-visible path and are left out.
 */
public final class FolderTree {
    static final int USER_ROOT = 1;
    private final Map<Integer, Folder> byId;

    private record Row(int id, int parent, String name) {}

    private FolderTree(Map<Integer, Folder> byId) {
        this.byId = Map.copyOf(byId);
    }

    /** A tree from folders already known (tests, and callers that built them elsewhere). */
    public static FolderTree of(java.util.Collection<Folder> folders) {
        Map<Integer, Folder> m = new HashMap<>();
        folders.forEach(f -> m.put(f.id(), f));
        return new FolderTree(m);
    }

    public static FolderTree load(Connection c, Account a) {
        Map<Integer, Row> rows = new HashMap<>();
        Map<Integer, Integer> counts = new HashMap<>();
        try {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, parent_id, name FROM " + a.group()
                    + ".mail_item WHERE mailbox_id = ? AND type = 1")) {
                ps.setInt(1, a.mailboxId());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.put(rs.getInt(1), new Row(rs.getInt(1), rs.getInt(2), rs.getString(3)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT folder_id, COUNT(*) FROM " + a.group()
                    + ".mail_item WHERE mailbox_id = ? AND type = 5 GROUP BY folder_id")) {
                ps.setInt(1, a.mailboxId());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counts.put(rs.getInt(1), rs.getInt(2));
                    }
                }
            }
        } catch (SQLException e) {
            throw new RestoreException("cannot read the folders of " + a.email() + ": " + e.getMessage(), e);
        }
        Map<Integer, Folder> out = new HashMap<>();
        for (Row r : rows.values()) {
            pathOf(r.id(), rows, 0).ifPresent(p -> out.put(r.id(), new Folder(r.id(), r.parent(), p, counts.getOrDefault(r.id(), 0))));
        }
        return new FolderTree(out);
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
