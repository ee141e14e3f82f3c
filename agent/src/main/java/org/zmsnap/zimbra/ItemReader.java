package org.zmsnap.zimbra;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Reads mail_item rows of one mailbox, or of several of one group at once: messages, contacts, documents, appointments; never folders, tags or conversations. */
public final class ItemReader {
    private static final String COLUMNS = "id, type, folder_id, date, size, locator, blob_digest, unread, flags,"
            + " sender, recipients, subject, name, mod_content, CASE WHEN type = 6 THEN metadata END, change_date";

    /** Rows per network read while streaming a search's rows. */
    private static final int FETCH = 1000;

    private ItemReader() {}

    public static List<MailItem> read(Connection c, Account a, ItemQuery q) {
        Map<Integer, Set<Integer>> folders = q.folderIds().isEmpty() ? Map.of() : Map.of(a.mailboxId(), q.folderIds());
        return read(c, List.of(a), q.withFolders(Set.of()), folders).getOrDefault(a.mailboxId(), List.of());
    }

    /**
     * The rows of several mailboxes of one {@code mboxgroup} in one query: the same criteria for each, and each its own
     * folders when {@code folders} is not empty (a mailbox missing from a non-empty {@code folders} gets no rows).
     * Searching every mailbox is then one round trip per group, not one per mailbox.
     *
     * @param q       the criteria every mailbox shares; its folder ids must be empty
     * @param folders mailbox id to its folder ids, or empty for every folder of every mailbox
     * @return mailbox id to its rows (ordered by folder, date, id); a mailbox with none is absent
     */
    public static Map<Integer, List<MailItem>> read(Connection c, List<Account> accounts, ItemQuery q, Map<Integer, Set<Integer>> folders) {
        Map<Integer, List<MailItem>> out = new HashMap<>();
        forEachMailbox(c, accounts, q, folders, (mailbox, rows) -> {
            out.put(mailbox, rows);
            return true;
        });
        return out;
    }

    /** Receives one mailbox's rows at a time; {@code false} stops the reading. */
    @FunctionalInterface
    public interface MailboxRows {
        boolean accept(int mailboxId, List<MailItem> rows);
    }

    /**
     * As {@link #read(Connection, List, ItemQuery, Map)}, streamed: the rows come from the server as they are read and are
     * handed over one mailbox at a time, so a search of every mailbox holds one mailbox's rows, not the group's.
     * Mailboxes without a matching row are not handed over.
     */
    public static void forEachMailbox(Connection c, List<Account> accounts, ItemQuery q, Map<Integer, Set<Integer>> folders, MailboxRows each) {
        if (!q.folderIds().isEmpty()) {
            throw new IllegalArgumentException("per-mailbox folders go in 'folders', not in the shared query");
        }
        if (accounts.isEmpty()) {
            return;
        }
        String group = Account.groupOf(accounts);
        StringBuilder sql = new StringBuilder("SELECT mailbox_id, " + COLUMNS + " FROM " + group
                + ".mail_item WHERE type NOT IN (1, 2, 3, 4, 13)");
        List<Object> args = new ArrayList<>();
        in(sql, args, "mailbox_id", accounts.stream().map(Account::mailboxId).collect(Collectors.toCollection(LinkedHashSet::new)));
        if (!folders.isEmpty()) {
            // Folder ids are per mailbox: a (mailbox, folder) pair names one folder.
            sql.append(" AND (mailbox_id, folder_id) IN (");
            int n = 0;
            for (Account a : accounts) {
                for (Integer f : folders.getOrDefault(a.mailboxId(), Set.of())) {
                    sql.append(n++ == 0 ? "(?, ?)" : ", (?, ?)");
                    args.add(a.mailboxId());
                    args.add(f);
                }
            }
            if (n == 0) {
                return;
            }
            sql.append(')');
        }
        in(sql, args, "id", q.ids());
        in(sql, args, "type", q.types());
        if (q.attached()) {
            sql.append(" AND (flags & ?) <> 0");
            args.add(ATTACHED);
        }
        q.minSize().ifPresent(v -> {
            sql.append(" AND size >= ?");
            args.add(v);
        });
        q.maxSize().ifPresent(v -> {
            sql.append(" AND size <= ?");
            args.add(v);
        });
        q.from().ifPresent(v -> contains(sql, args, v, "sender"));
        q.to().ifPresent(v -> contains(sql, args, v, "recipients"));
        q.subject().ifPresent(v -> contains(sql, args, v, "subject"));
        q.since().ifPresent(s -> {
            sql.append(" AND date >= ?");
            args.add(s.getEpochSecond());
        });
        q.until().ifPresent(u -> {
            sql.append(" AND date <= ?");
            args.add(u.getEpochSecond());
        });
        q.text().ifPresent(t -> contains(sql, args, t, "subject", "sender", "recipients"));
        sql.append(" ORDER BY mailbox_id, folder_id, date, id");
        try (PreparedStatement ps = c.prepareStatement(sql.toString(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            // A fetch size makes Connector/J stream the rows instead of reading the whole result first.
            ps.setFetchSize(FETCH);
            try (ResultSet rs = ps.executeQuery()) {
                int mailbox = -1;
                List<MailItem> rows = new ArrayList<>();
                while (rs.next()) {
                    int m = rs.getInt(1);
                    if (m != mailbox && !rows.isEmpty()) {
                        if (!each.accept(mailbox, rows)) {
                            return;
                        }
                        rows = new ArrayList<>();
                    }
                    mailbox = m;
                    long changed = rs.getLong(17);
                    Instant changedAt = rs.wasNull() ? null : Instant.ofEpochSecond(changed);
                    rows.add(new MailItem(rs.getInt(2), rs.getInt(3), rs.getInt(4), Instant.ofEpochSecond(rs.getLong(5)), rs.getLong(6),
                            rs.getString(7), rs.getString(8), rs.getInt(9) != 0, rs.getInt(10), rs.getString(11), rs.getString(12),
                            rs.getString(13), rs.getString(14), rs.getInt(15), rs.getString(16), changedAt));
                }
                if (!rows.isEmpty()) {
                    each.accept(mailbox, rows);
                }
            }
        } catch (SQLException e) {
            throw new RestoreException("cannot read the items of " + Account.describe(accounts) + ": " + e.getMessage(), e);
        }
    }

    /** Item ids of the mailbox with {@code accountId} in the live database; empty when the account is gone. */
    public static Set<Integer> liveIds(Connection live, String accountId) {
        Set<Integer> ids = new HashSet<>();
        try {
            int mailboxId;
            int group;
            try (PreparedStatement ps = live.prepareStatement("SELECT id, group_id FROM zimbra.mailbox WHERE account_id = ?")) {
                ps.setString(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return ids;
                    }
                    mailboxId = rs.getInt(1);
                    group = rs.getInt(2);
                }
            }
            try (PreparedStatement ps = live.prepareStatement("SELECT id FROM mboxgroup" + group + ".mail_item WHERE mailbox_id = ?")) {
                ps.setInt(1, mailboxId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getInt(1));
                    }
                }
            }
        } catch (SQLException e) {
            throw new RestoreException("cannot read the live mailbox to compare: " + e.getMessage(), e);
        }
        return ids;
    }

    /** Every item id of the mailbox {@code a} (any type), in the database {@code c} reaches. */
    public static Set<Integer> ids(Connection c, Account a) {
        Set<Integer> ids = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + a.group() + ".mail_item WHERE mailbox_id = ?")) {
            ps.setInt(1, a.mailboxId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getInt(1));
                }
            }
        } catch (SQLException e) {
            throw new RestoreException("cannot read the item ids of " + a.email() + ": " + e.getMessage(), e);
        }
        return ids;
    }

    /**
     * The tag names of the items {@code ids} that have any (tag_names: names joined by NUL, with a leading and
     * trailing NUL); items without tags are not in the map.
     */
    public static java.util.Map<Integer, List<String>> tagNames(Connection c, Account a, java.util.Collection<Integer> ids) {
        java.util.Map<Integer, List<String>> out = new java.util.HashMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        StringBuilder sql = new StringBuilder("SELECT id, tag_names FROM " + a.group()
                + ".mail_item WHERE mailbox_id = ? AND tag_names IS NOT NULL AND tag_names <> ''");
        List<Object> args = new ArrayList<>();
        args.add(a.mailboxId());
        in(sql, args, "id", new HashSet<>(ids));
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> names = java.util.Arrays.stream(rs.getString(2).split("\0")).filter(n -> !n.isEmpty()).toList();
                    if (!names.isEmpty()) {
                        out.put(rs.getInt(1), names);
                    }
                }
            }
        } catch (SQLException e) {
            throw new RestoreException("cannot read the tags of " + a.email() + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Zimbra's ATTACHED flag bit in {@code mail_item.flags}. */
    static final int ATTACHED = 2;

    /** {@code needle} as a substring of any of {@code columns}, any case (LIKE's own wildcards escaped). */
    private static void contains(StringBuilder sql, List<Object> args, String needle, String... columns) {
        String like = "%" + needle.toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        sql.append(" AND (");
        for (int i = 0; i < columns.length; i++) {
            sql.append(i == 0 ? "" : " OR ").append("LOWER(").append(columns[i]).append(") LIKE ?");
            args.add(like);
        }
        sql.append(')');
    }

    private static void in(StringBuilder sql, List<Object> args, String column, Set<Integer> values) {
        if (values.isEmpty()) {
            return;
        }
        sql.append(" AND ").append(column).append(" IN (");
        int i = 0;
        for (Integer v : values) {
            sql.append(i++ == 0 ? "?" : ", ?");
            args.add(v);
        }
        sql.append(')');
    }
}
