package org.zmsnap.zimbra;

/** One mailbox row of the snapshot's {@code zimbra.mailbox}; {@code groupId} names its mboxgroupN database. */
public record Account(int mailboxId, int groupId, String accountId, String email) {
    public String group() {
        return "mboxgroup" + groupId;
    }

    /** The one {@code mboxgroupN} database all of {@code accounts} are in (not empty): a batched query reads one. */
    static String groupOf(java.util.List<Account> accounts) {
        String group = accounts.get(0).group();
        if (accounts.stream().anyMatch(a -> !a.group().equals(group))) {
            throw new IllegalArgumentException("mailboxes of several groups in one query: " + accounts);
        }
        return group;
    }

    /** How an error names a batch: the one mailbox's address, or how many mailboxes of which group. */
    static String describe(java.util.List<Account> accounts) {
        return accounts.size() == 1 ? accounts.get(0).email() : accounts.size() + " mailboxes in " + accounts.get(0).group();
    }
}
