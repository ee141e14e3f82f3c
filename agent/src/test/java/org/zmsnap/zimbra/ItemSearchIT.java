package org.zmsnap.zimbra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.fixtures.MariaDbServer;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;

/**
 * Searching every mailbox reads a group's mailboxes in one query: on a real MariaDB with 205 generated mailboxes
 * (groups 1–5 hold three each, as Zimbra's 100 groups do on a host that large), each result is checked against plain
 * SQL run mailbox by mailbox, written here and sharing no code with {@link ItemReader}.
 */
class ItemSearchIT {
    private static final int MAILBOXES = 205;
    /** A folder only mailbox 101 has: group 1 also holds mailboxes 1 and 201, which must be skipped, not fail. */
    private static final int ONLY_HERE = 900;

    @TempDir
    static Path dir;
    private static MariaDbServer db;
    private static Connection c;
    private static List<Account> accounts;
    private static int moved;

    @BeforeAll
    static void start() throws Exception {
        db = MariaDbServer.start(dir.resolve("data"));
        c = db.connect();
        new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(MAILBOXES, 4).withSeed(7)).generate(c, dir.resolve("store"));
        accounts = AccountResolver.all(c);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TEMPORARY TABLE mboxgroup1.f SELECT * FROM mboxgroup1.mail_item WHERE mailbox_id = 101 AND id = 2");
            s.execute("UPDATE mboxgroup1.f SET id = " + ONLY_HERE + ", parent_id = 1, folder_id = 1, name = 'OnlyHere'");
            s.execute("INSERT INTO mboxgroup1.mail_item SELECT * FROM mboxgroup1.f");
            try (ResultSet rs = s.executeQuery("SELECT MIN(id) FROM mboxgroup1.mail_item WHERE mailbox_id = 101 AND type = 5")) {
                rs.next();
                moved = rs.getInt(1);
            }
            s.execute("UPDATE mboxgroup1.mail_item SET folder_id = " + ONLY_HERE + " WHERE mailbox_id = 101 AND id = " + moved);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (c != null) {
            c.close();
        }
        if (db != null) {
            db.close();
        }
    }

    private static ItemFilter filter(Optional<String> from, Optional<String> folder, boolean recursive) {
        return new ItemFilter(Optional.empty(), from, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), folder, recursive, Set.of(), false, OptionalLong.empty(), OptionalLong.empty(), false);
    }

    private static ItemSearch search() {
        // No volumes: without --text no blob is located.
        return new ItemSearch(c, new BlobLocator(java.util.Map.of(), p -> Optional.empty()), a -> Set.of());
    }

    /** "mailbox:item" of every non-folder item of each mailbox in turn, by plain SQL, in the order search lists them. */
    private static List<String> expected(String condition, Object... args) throws Exception {
        List<String> out = new ArrayList<>();
        for (Account a : accounts) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM mboxgroup" + a.groupId() + ".mail_item WHERE mailbox_id = ?"
                    + " AND type NOT IN (1, 2, 3, 4, 13) AND " + condition + " ORDER BY folder_id, date, id")) {
                ps.setInt(1, a.mailboxId());
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 2, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(a.mailboxId() + ":" + rs.getInt(1));
                    }
                }
            }
        }
        return out;
    }

    private static List<String> got(ItemSearch.Result r) {
        return r.hits().stream().map(h -> h.account().mailboxId() + ":" + h.item().id()).toList();
    }

    @Test
    void theGeneratedHostSharesGroups() {
        assertEquals(MAILBOXES, accounts.size());
        assertEquals(3, accounts.stream().filter(a -> a.groupId() == 1).count());
    }

    @Test
    void aHeaderSearchOfEveryMailboxFindsWhatPlainSqlFindsMailboxByMailbox() throws Exception {
        String sender;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT sender FROM mboxgroup2.mail_item WHERE type = 5 LIMIT 1")) {
            rs.next();
            sender = rs.getString(1);
        }
        String needle = sender.substring(0, Math.min(5, sender.length())).toLowerCase();
        List<String> want = expected("LOWER(sender) LIKE ?", "%" + needle + "%");
        ItemSearch.Result r = search().run(accounts, filter(Optional.of(needle), Optional.empty(), false), 0);
        assertFalse(want.isEmpty());
        assertEquals(want, got(r));
        assertEquals(MAILBOXES, r.accounts());
        assertFalse(r.limited());
        for (ItemSearch.Hit h : r.hits()) {
            assertEquals(FolderTree.load(c, h.account()).byId(h.item().folderId()).map(Folder::path).orElse("?"), h.folder());
        }
    }

    @Test
    void everyItemOfEveryMailboxComesBackInMailboxOrder() throws Exception {
        assertEquals(expected("1 = 1"), got(search().run(accounts, ItemFilter.none(), 0)));
    }

    @Test
    void aFolderOnlyOneMailboxOfAGroupHasIsSearchedThereAndSkippedElsewhere() throws Exception {
        ItemSearch.Result r = search().run(accounts, filter(Optional.empty(), Optional.of("/OnlyHere"), false), 0);
        assertEquals(List.of("101:" + moved), got(r));
        assertEquals("/OnlyHere", r.hits().get(0).folder());
        assertEquals(1, r.accounts());
        RestoreUsageException e = assertThrows(RestoreUsageException.class,
                () -> search().run(accounts, filter(Optional.empty(), Optional.of("/NoSuchFolder"), false), 0));
        assertTrue(e.getMessage().contains("no mailbox searched has the folder '/NoSuchFolder'"), e.getMessage());
    }

    @Test
    void eachMailboxIsSearchedInItsOwnInbox() throws Exception {
        List<String> want = new ArrayList<>();
        for (Account a : accounts) {
            int inbox = FolderTree.load(c, a).find("/Inbox").id();
            expected("folder_id = ?", inbox).stream().filter(x -> x.startsWith(a.mailboxId() + ":")).forEach(want::add);
        }
        assertFalse(want.isEmpty());
        assertEquals(want, got(search().run(accounts, filter(Optional.empty(), Optional.of("/Inbox"), false), 0)));
    }

    @Test
    void aLimitStopsTheSearchWithExactlyThatManyItems() throws Exception {
        List<String> all = expected("1 = 1");
        ItemSearch.Result r = search().run(accounts, ItemFilter.none(), 7);
        assertEquals(7, r.hits().size());
        assertTrue(r.limited());
        assertTrue(all.containsAll(got(r)), got(r).toString());
        List<String> listed = got(r);
        assertEquals(listed.stream().sorted((x, y) -> Integer.compare(all.indexOf(x), all.indexOf(y))).toList(), listed,
                "the hits are listed in mailbox order");
    }
}
