package org.zmsnap.restore;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads mail_item rows of one mailbox: messages, contacts, documents, appointments; never folders, tags or conversations. */
public final class ItemReader {
    private static final String COLUMNS = "id, type, folder_id, date, size, locator, blob_digest, unread, flags,"
            + " sender, recipients, subject, name, mod_content, CASE WHEN type = 6 THEN metadata END";

    private ItemReader() {}

    public static List<MailItem> read(Connection c, Account a, ItemQuery q) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM " + a.group()
                + ".mail_item WHERE mailbox_id = ? AND type NOT IN (1, 2, 3, 4, 13)");
        List<Object> args = new ArrayList<>();
        args.add(a.mailboxId());
        in(sql, args, "id", q.ids());
        in(sql, args, "folder_id", q.folderIds());
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
        sql.append(" ORDER BY folder_id, date, id");
        List<MailItem> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new MailItem(rs.getInt(1), rs.getInt(2), rs.getInt(3), Instant.ofEpochSecond(rs.getLong(4)),
                            rs.getLong(5), rs.getString(6), rs.getString(7), rs.getInt(8) != 0, rs.getInt(9),
                            rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13), rs.getInt(14), rs.getString(15)));
                }
            }
        } catch (SQLException e) {
            throw new RestoreException("cannot read the items of " + a.email() + ": " + e.getMessage(), e);
        }
        return out;
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
