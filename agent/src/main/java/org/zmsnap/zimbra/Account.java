package org.zmsnap.zimbra;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One mailbox row of the snapshot's {@code zimbra.mailbox}; {@code groupId} names its mboxgroupN database. */
public record Account(int mailboxId, int groupId, String accountId, String email) {
    /** Mailboxes per batched query: keeps the IN list far below the server's limits on a host with thousands per group. */
    static final int BATCH = 1000;

    public String group() {
        return "mboxgroup" + groupId;
    }

    /**
     * {@code accounts} cut into the batches one query each reads ({@link FolderTree#load(java.sql.Connection, List)},
     * {@link ItemReader#forEachMailbox}): one {@code mboxgroupN} per batch, at most {@link #BATCH} mailboxes, groups in
     * the order they first appear and mailboxes in their given order within a group.
     */
    public static List<List<Account>> batches(List<Account> accounts) {
        Map<String, List<Account>> groups = new LinkedHashMap<>();
        accounts.forEach(a -> groups.computeIfAbsent(a.group(), k -> new ArrayList<>()).add(a));
        List<List<Account>> out = new ArrayList<>();
        for (List<Account> group : groups.values()) {
            for (int from = 0; from < group.size(); from += BATCH) {
                out.add(List.copyOf(group.subList(from, Math.min(group.size(), from + BATCH))));
            }
        }
        return out;
    }

    /** The one {@code mboxgroupN} database all of {@code accounts} are in (not empty): a batched query reads one. */
    static String groupOf(List<Account> accounts) {
        String group = accounts.get(0).group();
        if (accounts.stream().anyMatch(a -> !a.group().equals(group))) {
            throw new IllegalArgumentException("mailboxes of several groups in one query: " + accounts);
        }
        return group;
    }

    /** How an error names a batch: the one mailbox's address, or how many mailboxes of which group. */
    static String describe(List<Account> accounts) {
        return accounts.size() == 1 ? accounts.get(0).email() : accounts.size() + " mailboxes in " + accounts.get(0).group();
    }
}
