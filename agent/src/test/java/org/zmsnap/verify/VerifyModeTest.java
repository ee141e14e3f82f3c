package org.zmsnap.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VerifyModeTest {
    @Test
    void withoutAnEarlierVerifiedSetEverythingIsNewSoTheCheckIsFull() {
        VerifyMode m = VerifyMode.incremental(Optional.empty(), 0.01);
        assertTrue(m.full());
        assertEquals("full", m.label());
        assertTrue(m.describe().contains("no earlier verified set"), m.describe());
    }

    @Test
    void incrementalSaysSinceWhenAndTheSample() {
        VerifyMode m = VerifyMode.incremental(Optional.of(Instant.parse("2026-11-30T00:00:00Z")), 0.01);
        assertFalse(m.full());
        assertEquals("incremental", m.label());
        assertTrue(m.describe().contains("2026-11-30T00:00:00Z") && m.describe().contains("1.0% sample"), m.describe());
    }

    @Test
    void aSampleOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> VerifyMode.incremental(Optional.empty(), 1.5));
        assertThrows(IllegalArgumentException.class, () -> VerifyMode.incremental(Optional.empty(), Double.NaN));
    }

    @Test
    void onlyAnOkResultCountsAsVerified() {
        assertTrue(VerifyService.passed("2026-11-30T12:00:00Z ok incremental"));
        assertFalse(VerifyService.passed("2026-11-30T12:00:00Z failed full"));
        assertFalse(VerifyService.passed("garbage"));
    }

    @Test
    void theMarkRoundTripsAndRejectsWhatItDidNotWrite() {
        VerifiedMark m = new VerifiedMark(Instant.parse("2026-11-30T12:00:00.123Z"), true, "full");
        assertEquals("2026-11-30T12:00:00Z ok full", m.value());
        assertEquals(java.util.Optional.of(new VerifiedMark(Instant.parse("2026-11-30T12:00:00Z"), true, "full")), VerifiedMark.parse(m.value()));
        assertTrue(VerifiedMark.parse("yesterday ok full").isEmpty());
        assertTrue(VerifiedMark.parse("2026-11-30T12:00:00Z maybe full").isEmpty());
    }

    @Test
    void kindsPrintAsTheyAreDocumented() {
        assertEquals("missing-blob", Problem.Kind.MISSING_BLOB.label());
        assertEquals("unreadable-gzip", Problem.Kind.UNREADABLE_GZIP.label());
        assertEquals("orphan-folder", Problem.Kind.ORPHAN_FOLDER.label());
    }

    @Test
    void aFolderOnAParentLoopIsFoundAndItsDescendantsAreNot() {
        Map<Integer, Integer> parent = new HashMap<>(Map.of(11, 11, 1, 11, 2, 1, 300, 301, 301, 300, 302, 300));
        assertFalse(SetVerifier.onLoop(2, parent));
        assertTrue(SetVerifier.onLoop(300, parent));
        assertTrue(SetVerifier.onLoop(301, parent));
        assertFalse(SetVerifier.onLoop(302, parent), "below the loop: its own parent exists; the loop is reported once per member");
        parent.put(303, 303);
        assertTrue(SetVerifier.onLoop(303, parent));
    }
}
