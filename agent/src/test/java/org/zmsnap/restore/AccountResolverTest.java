package org.zmsnap.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The pure part of the close-match suggestions: edit distance. The SQL lookups are covered end to end by
 * RestoreCliIT against a real sandbox MariaDB.
 */
class AccountResolverTest {
    @Test
    void distanceCountsInsertDeleteAndSubstitute() {
        assertEquals(0, AccountResolver.distance("alice@example.com", "alice@example.com"));
        assertEquals(1, AccountResolver.distance("alice@example.com", "alic@example.com"), "deletion");
        assertEquals(1, AccountResolver.distance("alice@example.com", "alicee@example.com"), "insertion");
        assertEquals(1, AccountResolver.distance("alice@example.com", "alice@exbmple.com"), "substitution");
        assertEquals(2, AccountResolver.distance("alice@example.com", "ailce@example.com"), "a swap is two edits");
        assertEquals(3, AccountResolver.distance("kitten", "sitting"));
    }

    @Test
    void distanceToEmptyIsTheLengthAndIsSymmetric() {
        assertEquals(5, AccountResolver.distance("", "alice"));
        assertEquals(5, AccountResolver.distance("alice", ""));
        assertEquals(AccountResolver.distance("bob@x.org", "rob@y.org"), AccountResolver.distance("rob@y.org", "bob@x.org"));
    }
}
