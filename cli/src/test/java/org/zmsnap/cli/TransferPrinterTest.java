package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.zmsnap.zfs.DatasetName;

class TransferPrinterTest {
    private static final DatasetName DB = DatasetName.of("backup/mbox1/zimbra/db");
    private static final DatasetName STORE = DatasetName.of("backup/mbox1/zimbra/store");
    private static final long MIB = 1 << 20;
    private static final long SECOND = 1_000_000_000L;

    @Test
    void onATerminalTwoStreamsShareOneLineWithSizesPercentRateAndEta() {
        StringWriter out = new StringWriter();
        AtomicLong clock = new AtomicLong();
        TransferPrinter p = new TransferPrinter(new PrintWriter(out), true, clock::get);
        p.started(DB, "full @a", OptionalLong.of(100 * MIB));
        p.started(STORE, "full @a", OptionalLong.of(300 * MIB));
        clock.set(2 * SECOND);
        p.moved(DB, 50 * MIB);
        p.moved(STORE, 150 * MIB); // within 250 ms of the last draw: not drawn
        clock.set(4 * SECOND);
        p.moved(STORE, 150 * MIB);
        String s = out.toString();
        String last = s.substring(s.lastIndexOf('\r') + 1);
        // 200 MiB in 4 s = 50 MiB/s; 200 MiB left: 4 s
        assertEquals("db 50.0 MiB/100.0 MiB (50%)  store 150.0 MiB/300.0 MiB (50%)  50.0 MiB/s  ETA 0:00:04", last.strip(), s);
        assertFalse(s.contains("\n"), "nothing finished yet, so no line of its own: " + s);
    }

    @Test
    void aFinishedStreamGetsALineAboveTheRedrawnProgress() {
        StringWriter out = new StringWriter();
        AtomicLong clock = new AtomicLong();
        TransferPrinter p = new TransferPrinter(new PrintWriter(out), true, clock::get);
        p.started(DB, "-i @a → @b", OptionalLong.empty());
        p.started(STORE, "-i @a → @b", OptionalLong.empty());
        clock.set(SECOND);
        p.moved(DB, 2048);
        p.finished(DB, 2048, true);
        List<String> lines = out.toString().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.endsWith("sent -i @a → @b → " + DB + ": 2.0 KiB in 1.0 s")), out.toString());
        assertTrue(out.toString().endsWith("store 0 B  2.0 KiB/s"), "no ETA without sizes: " + out);
    }

    @Test
    void withoutATerminalPlainLinesAtStartEndAndEvery30Seconds() {
        StringWriter out = new StringWriter();
        AtomicLong clock = new AtomicLong();
        TransferPrinter p = new TransferPrinter(new PrintWriter(out), false, clock::get);
        p.started(STORE, "full @a", OptionalLong.of(10 * MIB));
        for (int i = 1; i <= 60; i++) {
            clock.set(i * SECOND);
            p.moved(STORE, i * 100_000L);
        }
        p.finished(STORE, 6_000_000L, false);
        String s = out.toString();
        assertFalse(s.contains("\r"), s);
        List<String> lines = s.lines().toList();
        assertEquals(4, lines.size(), s); // start, 30 s, 60 s, end
        assertEquals("sending full @a → " + STORE + " (10.0 MiB expected)", lines.get(0));
        assertTrue(lines.get(1).startsWith(STORE + ": 2.9 MiB/10.0 MiB (28%)"), lines.get(1));
        assertEquals("FAILED full @a → " + STORE + ": 5.7 MiB in 60.0 s", lines.get(3));
    }
}
