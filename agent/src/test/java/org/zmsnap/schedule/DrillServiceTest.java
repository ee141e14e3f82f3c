package org.zmsnap.schedule;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zmsnap.verify.VerifiedMark;

class DrillServiceTest {
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    @Test
    void aFullCheckIsDueWithoutARecentFullOne() {
        Duration week = Duration.ofDays(7);
        assertTrue(DrillService.fullDue(List.of(), NOW, week), "never verified");
        assertTrue(DrillService.fullDue(List.of(new VerifiedMark(NOW.minus(Duration.ofHours(1)), true, "incremental"),
                new VerifiedMark(NOW.minus(Duration.ofDays(8)), true, "full")), NOW, week), "the last full one is 8 days old");
        assertFalse(DrillService.fullDue(List.of(new VerifiedMark(NOW.minus(Duration.ofHours(1)), true, "incremental"),
                new VerifiedMark(NOW.minus(Duration.ofDays(6)), false, "full")), NOW, week), "a full check 6 days ago, failed or not");
    }
}
