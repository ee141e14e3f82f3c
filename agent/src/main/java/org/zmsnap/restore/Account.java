package org.zmsnap.restore;

/** One mailbox row of the snapshot's {@code zimbra.mailbox}; {@code groupId} names its mboxgroupN database. */
public record Account(int mailboxId, int groupId, String accountId, String email) {
    public String group() {
        return "mboxgroup" + groupId;
    }
}
