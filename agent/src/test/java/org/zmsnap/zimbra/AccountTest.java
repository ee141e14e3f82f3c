package org.zmsnap.zimbra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccountTest {
    private static Account box(int id) {
        return new Account(id, ((id - 1) % 100) + 1, "acct-" + id, "u" + id + "@example.com");
    }

    @Test
    void batchesKeepOneGroupEachInTheOrderGroupsFirstAppear() {
        List<List<Account>> b = Account.batches(List.of(box(2), box(1), box(102), box(101), box(3)));
        assertEquals(List.of(List.of(box(2), box(102)), List.of(box(1), box(101)), List.of(box(3))), b);
    }

    @Test
    void aGroupOfMoreThanABatchIsCutIntoSeveralQueries() {
        List<Account> many = new ArrayList<>();
        for (int i = 0; i < Account.BATCH + 5; i++) {
            many.add(box(1 + 100 * i));
        }
        List<List<Account>> b = Account.batches(many);
        assertEquals(2, b.size());
        assertEquals(Account.BATCH, b.get(0).size());
        assertEquals(many.subList(Account.BATCH, many.size()), b.get(1));
    }

    @Test
    void noMailboxesNoBatches() {
        assertEquals(List.of(), Account.batches(List.of()));
    }
}
