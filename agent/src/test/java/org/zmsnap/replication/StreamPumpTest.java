package org.zmsnap.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The bandwidth cap's rules, checked by lower bounds on elapsed time only (a busy machine can only make a copy
 * slower, never faster): no copy beats the cap by more than the one-second burst, and the burst is only what
 * a pause saved.
 */
class StreamPumpTest {
    private static final long MB = 1_000_000;

    @Test
    void aCappedCopyStartsWithoutBurstAndTakesAtLeastBytesOverCap() throws IOException {
        StreamPump pump = new StreamPump(8 * MB, Duration.ofSeconds(30));
        long t0 = System.nanoTime();
        StreamPump.Result r = pump.copy(new ByteArrayInputStream(new byte[(int) (8 * MB)]), OutputStream.nullOutputStream(), () -> {});
        double secs = (System.nanoTime() - t0) / 1e9;
        assertEquals(8 * MB, r.bytes());
        assertFalse(r.stalled());
        assertTrue(secs >= 0.95, "8 MB at 8 MB/s took " + secs + " s");
    }

    @Test
    void aPauseBetweenCopiesIsMadeUpByAtMostOneSecondOfTheCap() throws Exception {
        StreamPump pump = new StreamPump(4 * MB, Duration.ofSeconds(30));
        pump.copy(new ByteArrayInputStream(new byte[(int) (2 * MB)]), OutputStream.nullOutputStream(), () -> {});
        Thread.sleep(3000); // would buy 12 MB without the burst bound; buys 4 MB (one second's worth)
        long t0 = System.nanoTime();
        pump.copy(new ByteArrayInputStream(new byte[(int) (12 * MB)]), OutputStream.nullOutputStream(), () -> {});
        double secs = (System.nanoTime() - t0) / 1e9;
        // 12 MB - 4 MB of burst = 8 MB at 4 MB/s: at least 2 s (minus the one 1 MB buffer taken before the wait)
        assertTrue(secs >= 1.7, "12 MB at 4 MB/s after a 3 s pause took " + secs + " s");
    }

    @Test
    void noCapCopiesEverything() throws IOException {
        byte[] data = new byte[(int) (3 * MB + 17)];
        data[data.length - 1] = 42;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        StreamPump.Result r = new StreamPump(0, Duration.ofSeconds(30)).copy(new ByteArrayInputStream(data), out, () -> {});
        assertEquals(data.length, r.bytes());
        assertEquals(42, out.toByteArray()[data.length - 1]);
    }
}
