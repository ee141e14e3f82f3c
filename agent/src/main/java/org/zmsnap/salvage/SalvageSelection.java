package org.zmsnap.salvage;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.MailItem;

/**
 * Which items exist only in the newer set: the salvageable kinds whose (mailbox id, item id) the base set does not
 * have. Zimbra never renumbers an item and allocates ids upwards, so an id the base lacks is an item created after
 * it. An item that was only changed (flags, a move, an edited draft under the same id) is in both and not selected.
 */
final class SalvageSelection {
    /** The kinds salvaged: what a user would miss and restore can write. Notes, chats, folders, tags are not. */
    static final Set<Integer> TYPES = Set.of(MailItem.MESSAGE, MailItem.CONTACT, MailItem.APPOINTMENT, MailItem.TASK,
            MailItem.DOCUMENT);

    /** One mailbox of the base set: whose it was and the ids it had. */
    record Known(String accountId, Set<Integer> ids) {
        Known {
            ids = Set.copyOf(ids);
        }
    }

    private SalvageSelection() {}

    /**
     * @param base     the base set's mailboxes by mailbox id
     * @param account  a mailbox of the newer set
     * @param newer    its items in the newer set
     */
    static List<MailItem> newItems(Map<Integer, Known> base, Account account, List<MailItem> newer) {
        Known k = base.get(account.mailboxId());
        // A mailbox id that belonged to another account in the base (deleted and reused) shares nothing with it.
        Set<Integer> had = k == null || !k.accountId().equals(account.accountId()) ? Set.of() : k.ids();
        return newer.stream().filter(i -> TYPES.contains(i.type()) && !had.contains(i.id())).toList();
    }
}
