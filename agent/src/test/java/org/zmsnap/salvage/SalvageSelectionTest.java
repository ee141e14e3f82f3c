package org.zmsnap.salvage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.MailItem;

class SalvageSelectionTest {
    static final Account ANNA = new Account(7, 7, "uuid-anna", "anna@example.com");

    static MailItem item(int id, int type) {
        return new MailItem(id, type, 2, Instant.EPOCH, 10, "1", null, false, 0, null, null, "s", null, 1, null);
    }

    @Test
    void onlyItemsTheBaseLacksOfTheSalvagedKinds() {
        Map<Integer, SalvageSelection.Known> base = Map.of(7, new SalvageSelection.Known("uuid-anna", Set.of(300, 301, 302)));
        List<MailItem> newer = List.of(item(300, MailItem.MESSAGE), item(302, MailItem.CONTACT), // in both: changed at most
                item(400, MailItem.MESSAGE), item(401, MailItem.CONTACT), item(402, MailItem.APPOINTMENT), item(403, MailItem.TASK),
                item(404, MailItem.DOCUMENT), item(405, 9 /* note */), item(406, 16 /* chat */));
        assertEquals(List.of(400, 401, 402, 403, 404),
                SalvageSelection.newItems(base, ANNA, newer).stream().map(MailItem::id).toList());
    }

    @Test
    void aMailboxTheBaseDidNotHaveOrHadForAnotherAccountIsAllNew() {
        List<MailItem> newer = List.of(item(300, MailItem.MESSAGE), item(301, MailItem.MESSAGE));
        assertEquals(2, SalvageSelection.newItems(Map.of(), ANNA, newer).size());
        Map<Integer, SalvageSelection.Known> reused = Map.of(7, new SalvageSelection.Known("uuid-someone-else", Set.of(300, 301)));
        assertEquals(2, SalvageSelection.newItems(reused, ANNA, newer).size());
    }
}
