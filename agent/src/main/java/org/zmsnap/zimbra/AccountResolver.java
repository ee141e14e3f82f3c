package org.zmsnap.zimbra;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.zmsnap.text.EditDistance;
import java.util.Optional;

/**
 * Finds a mailbox by email, zimbraId (account_id) or mailbox id. An email is asked of Zimbra's directory first
 * when there is one (renamed accounts, aliases), then matched against zimbra.mailbox.comment, any case — also
 * when the directory's account has no mailbox in the snapshot, which is the case of an account deleted and
 * created again under the same address: the snapshot's mailbox is the one the user means.
 */
public final class AccountResolver {
    private AccountResolver() {}

    public static Account resolve(Connection c, String who) {
        return resolve(c, who, Optional.empty());
    }

    public static Account resolve(Connection c, String who, Optional<ZmprovDirectory> directory) {
        try {
            if (who.contains("@") && directory.isPresent()) {
                Optional<String> id = directory.get().zimbraId(who);
                if (id.isPresent()) {
                    Optional<Account> a = one(c, "account_id = ?", id.get());
                    if (a.isPresent()) {
                        return a.get();
                    }
                }
            }
            Optional<Account> found = who.matches("\\d{1,10}")
                    ? one(c, "id = ?", Long.parseLong(who))
                    : one(c, "LOWER(comment) = LOWER(?) OR account_id = ?", who, who);
            if (found.isPresent()) {
                return found.get();
            }
            List<String> close = closeMatches(c, who);
            throw new RestoreUsageException("no account '" + who + "' in this snapshot"
                    + (close.isEmpty() ? "" : "; did you mean: " + String.join(", ", close)));
        } catch (SQLException e) {
            throw new RestoreException("cannot read zimbra.mailbox: " + e.getMessage(), e);
        }
    }

    /** Every mailbox row of the database {@code c} reaches (a snapshot's sandbox, or the live one), by mailbox id. */
    public static List<Account> all(Connection c) {
        List<Account> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, group_id, account_id, comment FROM zimbra.mailbox ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Account(rs.getInt(1), rs.getInt(2), rs.getString(3), rs.getString(4)));
            }
        } catch (SQLException e) {
            throw new RestoreException("cannot read zimbra.mailbox: " + e.getMessage(), e);
        }
        return out;
    }

    private static Optional<Account> one(Connection c, String where, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, group_id, account_id, comment FROM zimbra.mailbox WHERE " + where)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Account(rs.getInt(1), rs.getInt(2), rs.getString(3), rs.getString(4)))
                        : Optional.empty();
            }
        }
    }

    /** Up to five addresses nearest by edit distance, or sharing the local part or domain. */
    private static List<String> closeMatches(Connection c, String who) throws SQLException {
        String w = who.toLowerCase(Locale.ROOT);
        String local = w.contains("@") ? w.substring(0, w.indexOf('@')) : w;
        record Scored(String email, int score) {}
        List<Scored> all = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT comment FROM zimbra.mailbox WHERE comment IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String e = rs.getString(1);
                String el = e.toLowerCase(Locale.ROOT);
                int d = EditDistance.between(el, w);
                if (!local.isEmpty() && el.startsWith(local)) {
                    d = Math.min(d, 1);
                }
                if (d <= Math.max(3, w.length() / 3)) {
                    all.add(new Scored(e, d));
                }
            }
        }
        return all.stream().sorted(Comparator.comparingInt(Scored::score).thenComparing(Scored::email))
                .limit(5).map(Scored::email).toList();
    }
}
