package org.zmsnap.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PeriodsTest {
    static final Instant NOW = Instant.parse("2026-11-22T10:07:00Z");

    @Test
    void periodsOfTheDocumentedPolicies() {
        assertEquals(Duration.ofMinutes(15), Periods.of("0 */15 * * * ?", NOW));
        assertEquals(Duration.ofHours(1), Periods.of("0 0 * * * ?", NOW));
        assertEquals(Duration.ofDays(1), Periods.of("0 30 2 * * ?", NOW));
        assertEquals(Duration.ofDays(7), Periods.of("0 0 3 ? * SUN", NOW));
        assertEquals(Duration.ofDays(31), Periods.of("0 0 4 1 * ?", NOW), "Dec 1 → Jan 1 is the longer of the first two gaps");
    }

    @Test
    void unevenSchedulesUseTheLongestGap() {
        // 09:00..17:00 hourly on weekdays: the longest gap is the weekend
        assertEquals(Duration.ofHours(64), Periods.of("0 0 9-17 ? * MON-FRI", NOW));
    }

    @Test
    void aScheduleThatFiresOnceHasNoPeriod() {
        assertThrows(IllegalArgumentException.class, () -> Periods.of("0 0 0 1 1 ? 2027", NOW));
    }
}
