package org.zmsnap.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The bandwidth cap's rules, checked by lower bounds on elapsed time only (a busy machine can only make a copy
 * slower, never faster): no copy beats the cap by more than the one-second burst, and the burst is only what
 * a pause saved. The watchdog's bounds (stall, minimum rate, deadline) are checked against a fake sender that
 * trickles at a known rate: a stop must come within a generous bound, and a stream fast enough must never be stopped.
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
    void parallelCopiesShareTheOneCap() throws Exception {
        // Four streams of one run (parallel-streams) through one pump at 8 MB/s: 16 MB together take at least 2 s,
        // not the 0.5 s four separate caps would allow.
        StreamPump pump = new StreamPump(8 * MB, Duration.ofSeconds(30));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        long t0 = System.nanoTime();
        try {
            List<java.util.concurrent.Future<StreamPump.Result>> copies = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                copies.add(pool.submit(() -> pump.copy(new ByteArrayInputStream(new byte[(int) (4 * MB)]),
                        OutputStream.nullOutputStream(), () -> {})));
            }
            for (var c : copies) {
                assertEquals(4 * MB, c.get().bytes());
            }
        } finally {
            pool.shutdownNow();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(secs >= 1.8, "16 MB in four parallel copies at a shared 8 MB/s took " + secs + " s");
    }

    @Test
    void parallelCopiesUnderACapAreJudgedTogetherAgainstTheMinimumRate() throws Exception {
        // 4 MB/s shared by four copies: each moves about 1 MB/s, under a floor of 1.5 MB/s that the run as a whole
        // keeps. Judged one by one, every copy would be ended as a trickle after one window (2 s of a 3 s run).
        StreamPump pump = new StreamPump(4 * MB, Duration.ofSeconds(2), 3 * MB / 2, Duration.ZERO);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<StreamPump.Result>> copies = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                copies.add(pool.submit(() -> pump.copy(new ByteArrayInputStream(new byte[(int) (3 * MB)]),
                        OutputStream.nullOutputStream(), () -> {})));
            }
            for (var c : copies) {
                StreamPump.Result r = c.get();
                assertFalse(r.stalled(), "stopped: " + r.stop());
                assertEquals(3 * MB, r.bytes());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSenderStillStartingHasTheStartTimeoutForItsFirstByteAndTheStallTimeoutAfter() throws IOException {
        // A sender whose first byte comes after 1.5 s: past a 1 s stall timeout, within a 4 s start timeout.
        StreamPump pump = new StreamPump(0, Duration.ofSeconds(1), 0, Duration.ZERO, Duration.ofSeconds(4));
        java.io.InputStream late = lateBy(1500, 3);
        StreamPump.Result r = pump.copy(late, OutputStream.nullOutputStream(), () -> {});
        assertFalse(r.stalled(), "a late first byte within the start timeout: " + r.stop());
        assertEquals(3, r.bytes());
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

    /** A sender that gives {@code chunk} bytes every {@code everyMillis} until {@code total} (-1: forever) or closed. */
    static final class Trickle extends InputStream {
        private final int chunk;
        private final long everyMillis;
        private long left;
        private volatile boolean closed;

        Trickle(int chunk, long everyMillis, long total) {
            this.chunk = chunk;
            this.everyMillis = everyMillis;
            this.left = total;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                Thread.sleep(everyMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (closed) {
                throw new IOException("killed");
            }
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left < 0 ? chunk : Math.min(chunk, left));
            left = left < 0 ? -1 : left - n;
            return n;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void aTricklingStreamUnderTheMinimumRateIsStoppedAfterAboutOneWindow() throws IOException {
        Trickle in = new Trickle(100, 50, -1); // 2 KB/s, forever
        StreamPump pump = new StreamPump(0, Duration.ofSeconds(1), 64 * 1024, Duration.ZERO);
        long t0 = System.nanoTime();
        StreamPump.Result r = pump.copy(in, OutputStream.nullOutputStream(), in::close);
        double secs = (System.nanoTime() - t0) / 1e9;
        StreamPump.Stop.TooSlow why = assertInstanceOf(StreamPump.Stop.TooSlow.class, r.stop().orElseThrow());
        assertTrue(secs >= 0.95 && secs < 10, "stopped after " + secs + " s");
        assertTrue(r.stalled());
        assertTrue(why.bytes() > 0 && why.bytes() < 64 * 1024, why.toString());
        assertTrue(why.describe().contains("min-rate") && why.describe().contains("0 turns the check off"), why.describe());
    }

    @Test
    void aStreamAboveTheMinimumRateRunsToItsEnd() throws IOException {
        Trickle in = new Trickle(32 * 1024, 50, 2_500_000); // ~640 KB/s for ~4 s: several windows
        StreamPump.Result r = new StreamPump(0, Duration.ofSeconds(1), 64 * 1024, Duration.ZERO)
                .copy(in, OutputStream.nullOutputStream(), in::close);
        assertEquals(Optional.empty(), r.stop());
        assertEquals(2_500_000, r.bytes());
    }

    @Test
    void minimumRateZeroLetsATrickleFinish() throws IOException {
        Trickle in = new Trickle(100, 50, 5_000); // 2 KB/s for 2.5 s
        StreamPump.Result r = new StreamPump(0, Duration.ofSeconds(1), 0, Duration.ZERO)
                .copy(in, OutputStream.nullOutputStream(), in::close);
        assertEquals(Optional.empty(), r.stop());
        assertEquals(5_000, r.bytes());
    }

    @Test
    void aCapBelowTheMinimumRateNeverTripsIt() throws IOException {
        // A cap of 40 KB/s with the default floor of 64 KiB/s: the floor becomes half the cap, and the cap's own waits
        // are short enough (a quarter second's worth per read) to be neither a stall nor a trickle.
        StreamPump pump = new StreamPump(40_000, Duration.ofSeconds(1), 64 * 1024, Duration.ZERO);
        long t0 = System.nanoTime();
        StreamPump.Result r = pump.copy(new ByteArrayInputStream(new byte[120_000]), OutputStream.nullOutputStream(), () -> {});
        double secs = (System.nanoTime() - t0) / 1e9;
        assertEquals(Optional.empty(), r.stop());
        assertEquals(120_000, r.bytes());
        assertTrue(secs >= 2.5, "120 KB at 40 KB/s took " + secs + " s");
    }

    @Test
    void theRunsMaxDurationEndsTheCopyInFlightAndRefusesTheNext() throws IOException {
        StreamPump pump = new StreamPump(0, Duration.ofSeconds(1), 0, Duration.ofMillis(1500));
        Trickle in = new Trickle(10_000, 50, -1); // fast enough, but endless
        long t0 = System.nanoTime();
        StreamPump.Result r = pump.copy(in, OutputStream.nullOutputStream(), in::close);
        double secs = (System.nanoTime() - t0) / 1e9;
        StreamPump.Stop.OutOfTime why = assertInstanceOf(StreamPump.Stop.OutOfTime.class, r.stop().orElseThrow());
        assertTrue(secs >= 1.4 && secs < 10, "stopped after " + secs + " s");
        assertTrue(r.bytes() > 0);
        assertTrue(why.describe().contains("max-duration of 1500ms"), why.describe());

        Trickle next = new Trickle(10_000, 50, 10_000);
        StreamPump.Result late = pump.copy(next, OutputStream.nullOutputStream(), next::close);
        assertInstanceOf(StreamPump.Stop.OutOfTime.class, late.stop().orElseThrow());
        assertEquals(0, late.bytes(), "nothing is read once the run is out of time");
    }

    @Test
    void aSilentStreamIsAStall() throws IOException {
        java.util.concurrent.CountDownLatch killed = new java.util.concurrent.CountDownLatch(1);
        InputStream silent = silentUntil(killed);
        long t0 = System.nanoTime();
        StreamPump.Result r = new StreamPump(0, Duration.ofSeconds(1), 64 * 1024, Duration.ZERO)
                .copy(silent, OutputStream.nullOutputStream(), killed::countDown);
        double secs = (System.nanoTime() - t0) / 1e9;
        assertInstanceOf(StreamPump.Stop.Stalled.class, r.stop().orElseThrow(), "no bytes at all is a stall, not a trickle");
        assertTrue(secs >= 0.95 && secs < 10, "stopped after " + secs + " s");
    }

    /** Sends {@code bytes} single bytes after sleeping {@code firstMillis} before the first. */
    static InputStream lateBy(long firstMillis, int bytes) {
        return new InputStream() {
            private int sent;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (sent == 0) {
                    try {
                        Thread.sleep(firstMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (sent >= bytes) {
                    return -1;
                }
                sent++;
                b[off] = 1;
                return 1;
            }
        };
    }

    @Test
    void aCopyQueuedBehindAnotherCopyOfTheRunIsNotAStall() throws Exception {
        // Over one SSH session a copy's bytes can wait behind another copy's (one reader thread for all channels):
        // silent for 2.5 s, past a 1 s stall timeout, while the run's other copy moves a byte every 200 ms.
        StreamPump pump = new StreamPump(0, Duration.ofSeconds(1));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var moving = pool.submit(() -> pump.copy(new Trickle(1, 200, 15), OutputStream.nullOutputStream(), () -> {}));
            var queued = pool.submit(() -> pump.copy(lateBy(2500, 3), OutputStream.nullOutputStream(), () -> {}));
            StreamPump.Result q = queued.get();
            assertFalse(q.stalled(), "the run moved all along: " + q.stop());
            assertEquals(3, q.bytes());
            assertFalse(moving.get().stalled());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCopySilentAfterTheRunStoppedMovingIsAStall() throws Exception {
        // The other copy ends after about 0.6 s; from then on nothing moves, and the silent copy is a stall 1 s later.
        StreamPump pump = new StreamPump(0, Duration.ofSeconds(1));
        java.util.concurrent.CountDownLatch killed = new java.util.concurrent.CountDownLatch(1);
        InputStream silent = silentUntil(killed);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            long t0 = System.nanoTime();
            var moving = pool.submit(() -> pump.copy(new Trickle(1, 200, 3), OutputStream.nullOutputStream(), () -> {}));
            StreamPump.Result r = pool.submit(() -> pump.copy(silent, OutputStream.nullOutputStream(), killed::countDown)).get();
            double secs = (System.nanoTime() - t0) / 1e9;
            assertInstanceOf(StreamPump.Stop.Stalled.class, r.stop().orElseThrow());
            assertTrue(secs >= 1.4 && secs < 10, "stopped after " + secs + " s: one stall timeout after the run's last byte");
            assertFalse(moving.get().stalled());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Sends nothing until {@code killed} (the pump's onStop), then fails as a killed sender's pipe does. */
    static InputStream silentUntil(java.util.concurrent.CountDownLatch killed) {
        return new InputStream() {
            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    killed.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("killed");
            }
        };
    }
}
