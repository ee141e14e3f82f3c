package org.zmsnap.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthTest {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-22T10:00:00Z"));
    final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @Test
    void healthyWithinTwicePeriodThenUnhealthyWithTheReasonThenHealthyAgain() {
        Health h = new Health(Map.of("hourly", Duration.ofHours(1)), clock);
        assertTrue(h.status().ok(), "a fresh start is healthy");
        now.set(now.get().plus(Duration.ofMinutes(119)));
        assertTrue(h.status().ok());
        h.failure("hourly", "cannot connect to MariaDB");
        now.set(now.get().plus(Duration.ofMinutes(2)));
        Health.Status s = h.status();
        assertFalse(s.ok());
        assertTrue(s.reasons().get(0).contains("hourly") && s.reasons().get(0).contains("cannot connect to MariaDB"), s.toString());
        h.success("hourly", now.get());
        assertTrue(h.status().ok());
    }

    @Test
    void anOlderSuccessNeverMovesTheClockBack() {
        Health h = new Health(Map.of("daily", Duration.ofDays(1)), clock);
        h.success("daily", now.get());
        h.success("daily", now.get().minus(Duration.ofDays(5)));
        now.set(now.get().plus(Duration.ofHours(47)));
        assertTrue(h.status().ok());
    }

    @Test
    void aCoverageProblemIsUnhealthyAtOnceWithThePathAndClearsWhenFixed() {
        Health h = new Health(Map.of("hourly", Duration.ofHours(1)), clock);
        h.success("hourly", now.get());
        h.coverage(java.util.List.of("MariaDB datadir (@@datadir) /var/lib/mysql is not on a configured dataset"));
        Health.Status st = h.status();
        assertFalse(st.ok(), "sets are taken, but they cannot restore Zimbra");
        assertTrue(st.reasons().contains("coverage: MariaDB datadir (@@datadir) /var/lib/mysql is not on a configured dataset"),
                st.reasons().toString());
        h.coverage(java.util.List.of());
        assertTrue(h.status().ok());
    }
}
