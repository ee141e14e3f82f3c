package org.zmsnap.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShellQuoteTest {
    @Test
    void quotesOnlyWhatNeedsIt() {
        assertEquals("zfs", ShellQuote.quote("zfs"));
        assertEquals("tank/zimbra@zmsnap_hourly_2026-11-22T14:00:00Z", ShellQuote.quote("tank/zimbra@zmsnap_hourly_2026-11-22T14:00:00Z"));
        assertEquals("'a b'", ShellQuote.quote("a b"));
        assertEquals("''", ShellQuote.quote(""));
        assertEquals("'it'\\''s; rm -rf /'", ShellQuote.quote("it's; rm -rf /"));
        assertEquals("'$(id)'", ShellQuote.quote("$(id)"));
    }

    @Test
    void joinRefusesNewlines() {
        assertEquals("zfs list -H 'a b'", ShellQuote.join(List.of("zfs", "list", "-H", "a b")));
        assertThrows(IllegalArgumentException.class, () -> ShellQuote.join(List.of("zfs", "a\nb")));
    }
}
