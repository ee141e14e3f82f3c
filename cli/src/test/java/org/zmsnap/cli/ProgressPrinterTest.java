package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.zmsnap.zimbra.MailItem;

class ProgressPrinterTest {
    private static final MailItem MSG = new MailItem(4711, MailItem.MESSAGE, 2, Instant.EPOCH, 10, "1", null, false, 0,
            "a", "b", "s", null, 1, null);

    @Test
    void onATerminalTheBarIsRedrawnInPlaceAtMostEvery100msAndEndsWithANewline() {
        StringWriter out = new StringWriter();
        AtomicLong clock = new AtomicLong();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(out), true, clock::get);
        for (int i = 1; i <= 300; i++) {
            clock.addAndGet(1_000_000L); // 1 ms per item
            p.item(i, 300, MSG, "restored");
        }
        String s = out.toString();
        long redraws = s.chars().filter(c -> c == '\r').count();
        assertTrue(redraws >= 3 && redraws <= 5, redraws + " redraws for 300 ms of items: " + s);
        assertTrue(s.endsWith("\r[" + "#".repeat(30) + "] 300/300" + System.lineSeparator()), s);
        assertEquals(s.length() - System.lineSeparator().length(), s.indexOf(System.lineSeparator()), "one line, drawn over");
    }

    @Test
    void withoutATerminalPlainLinesEvery100ItemsAndForEachItemNotRestored() {
        StringWriter out = new StringWriter();
        ProgressPrinter p = new ProgressPrinter(new PrintWriter(out), false, () -> 0);
        for (int i = 1; i <= 250; i++) {
            p.item(i, 250, MSG, i == 42 ? "failed" : "restored");
        }
        String s = out.toString();
        assertFalse(s.contains("\r"));
        assertEquals(java.util.List.of("restore: 42/250 (message 4711: failed)", "restore: 100/250", "restore: 200/250",
                "restore: 250/250"), s.lines().toList());
    }
}
