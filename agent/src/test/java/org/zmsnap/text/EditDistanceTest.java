package org.zmsnap.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The distance behind "did you mean" for config keys and account addresses. The SQL lookups of the account
 * suggestions are covered end to end by RestoreCliIT against a real sandbox MariaDB.
 */
class EditDistanceTest {
    @Test
    void distanceCountsInsertDeleteAndSubstitute() {
        assertEquals(0, EditDistance.between("alice@example.com", "alice@example.com"));
        assertEquals(1, EditDistance.between("alice@example.com", "alic@example.com"), "deletion");
        assertEquals(1, EditDistance.between("alice@example.com", "alicee@example.com"), "insertion");
        assertEquals(1, EditDistance.between("alice@example.com", "alice@exbmple.com"), "substitution");
        assertEquals(2, EditDistance.between("alice@example.com", "ailce@example.com"), "a swap is two edits");
        assertEquals(3, EditDistance.between("kitten", "sitting"));
    }

    @Test
    void distanceToEmptyIsTheLengthAndIsSymmetric() {
        assertEquals(5, EditDistance.between("", "alice"));
        assertEquals(5, EditDistance.between("alice", ""));
        assertEquals(EditDistance.between("bob@x.org", "rob@y.org"), EditDistance.between("rob@y.org", "bob@x.org"));
    }
}
