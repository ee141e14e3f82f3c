package org.zmsnap.zfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gate's rules with a fake clock: the clock only moves when a test moves it, so "a hung step" and "a hung cycle" are
 * exact, not races. Waiting threads are real; {@link #stillWaiting} gives them time to prove they are still blocked.
 */
@Timeout(20)
class ZfsWorkGateTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final ZfsWorkGate gate = new ZfsWorkGate(Duration.ofSeconds(2), Duration.ofSeconds(10), now::get);

    /** Threads of the test's own: the common pool has one thread on a 2-core machine, and a blocked task would starve the next. */
    final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();

    @org.junit.jupiter.api.AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    /** Until the cycle's thread has closed the gate: only then does moving the clock count against its bounds. */
    void awaitClosed() throws InterruptedException {
        for (int i = 0; i < 500 && !gate.closed(); i++) {
            Thread.sleep(10);
        }
        assertTrue(gate.closed(), "the cycle closed the gate");
    }

    static <T> boolean stillWaiting(CompletableFuture<T> f) throws InterruptedException {
        Thread.sleep(150);
        return !f.isDone();
    }

    @Test
    void anOpenGateLetsWorkThroughAndACycleWithNothingInFlightIsNotForced() {
        try (ZfsWorkGate.Pass p = gate.enter("zfs hold a")) {
            assertEquals(List.of("zfs hold a"), gate.inFlight());
        }
        assertEquals(List.of(), gate.inFlight());
        try (ZfsWorkGate.Closed c = gate.close("cycle")) {
            assertFalse(c.passage().forced());
            assertEquals(0, c.passage().waitNanos());
            assertTrue(gate.closed());
        }
        assertFalse(gate.closed());
    }

    @Test
    void aClosingCycleWaitsForTheCommandInFlightAndGoesAheadWhenItEnds() throws Exception {
        ZfsWorkGate.Pass hold = gate.enter("zfs hold zmsnap:dr1 p/db@s1");
        CompletableFuture<ZfsWorkGate.Closed> cycle = CompletableFuture.supplyAsync(() -> gate.close("cycle"), threads);
        awaitClosed();
        assertTrue(stillWaiting(cycle), "the cycle must wait for the hold that is running");
        advance(Duration.ofMillis(300));
        hold.close();
        ZfsWorkGate.Closed c = cycle.get(5, TimeUnit.SECONDS);
        assertFalse(c.passage().forced());
        assertEquals(Duration.ofMillis(300).toNanos(), c.passage().waitNanos());
        c.close();
    }

    @Test
    void aHungStepCannotHoldTheCycleBeyondTheDrainBoundTheGateIsForcedAndNamesIt() throws Exception {
        gate.enter("zfs release zmsnap:dr1 p/db@s0"); // never ends
        CompletableFuture<ZfsWorkGate.Closed> cycle = CompletableFuture.supplyAsync(() -> gate.close("cycle"), threads);
        awaitClosed();
        advance(Duration.ofMillis(1999));
        assertTrue(stillWaiting(cycle), "before the bound the cycle still waits");
        advance(Duration.ofMillis(1));
        ZfsWorkGate.Closed c = cycle.get(5, TimeUnit.SECONDS);
        assertTrue(c.passage().forced());
        assertEquals(List.of("zfs release zmsnap:dr1 p/db@s0"), c.passage().pending());
        assertEquals(Duration.ofSeconds(2).toNanos(), c.passage().waitNanos());
        c.close();
    }

    @Test
    void workWaitsWhileACycleHasTheGateClosedAndResumesRightAfter() throws Exception {
        List<Duration> waits = new CopyOnWriteArrayList<>();
        gate.listen(waits::add);
        ZfsWorkGate.Closed c = gate.close("cycle");
        CompletableFuture<Void> destroy = CompletableFuture.runAsync(() -> gate.enter("zfs destroy p/db@old").close(), threads);
        CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> gate.awaitOpen("zfs send | zfs receive"), threads);
        assertTrue(stillWaiting(destroy));
        assertTrue(stillWaiting(stream));
        advance(Duration.ofMillis(40));
        c.close();
        destroy.get(5, TimeUnit.SECONDS);
        stream.get(5, TimeUnit.SECONDS);
        assertEquals(List.of(Duration.ofMillis(40), Duration.ofMillis(40)), waits);
        assertEquals(List.of(), gate.inFlight());
    }

    @Test
    void aHungCycleCannotBlockWorkBeyondMaxClosed() throws Exception {
        ZfsWorkGate.Closed hung = gate.close("cycle"); // never reopened
        CompletableFuture<Void> hold = CompletableFuture.runAsync(() -> gate.enter("zfs hold t p/db@s").close(), threads);
        advance(Duration.ofMillis(9999));
        assertTrue(stillWaiting(hold), "before max-closed the work still waits");
        advance(Duration.ofMillis(1));
        hold.get(5, TimeUnit.SECONDS);
        assertFalse(gate.closed(), "past max-closed the gate counts as open");
        gate.enter("zfs release t p/db@s").close(); // and later work does not wait at all

        // The next cycle closes it anew; the hung one's late reopen does not open the new cycle's gate.
        ZfsWorkGate.Closed next = gate.close("next cycle");
        hung.close();
        assertTrue(gate.closed());
        next.close();
        assertFalse(gate.closed());
    }

    @Test
    void theCyclesOwnCommandsPassItsClosedGateAndAreNotCountedInFlight() {
        try (ZfsWorkGate.Closed c = gate.close("cycle")) {
            try (ZfsWorkGate.Pass snapshot = gate.enter("zfs snapshot -r p@t")) {
                assertEquals(List.of(), gate.inFlight());
            }
            gate.awaitOpen("the cycle's own stream");
        }
    }

    @Test
    void workInterruptedWhileWaitingIsNotStartedAndSaysWhy() throws Exception {
        ZfsWorkGate.Closed c = gate.close("cycle");
        CompletableFuture<Throwable> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                gate.enter("zfs hold t p/db@s");
                f.complete(null);
            } catch (Throwable e) {
                f.complete(e);
            }
        });
        t.start();
        Thread.sleep(100);
        t.interrupt();
        Throwable e = f.get(5, TimeUnit.SECONDS);
        assertTrue(e instanceof ZfsException && e.getMessage().contains("zfs hold t p/db@s was not started"), String.valueOf(e));
        assertEquals(List.of(), gate.inFlight());
        c.close();
    }

    @Test
    void anUnsharedGateNeverMakesAnythingWaitNorReportsForced() throws Exception {
        ZfsWorkGate unshared = ZfsWorkGate.unshared();
        unshared.enter("zfs hold t p/db@s"); // in flight, never ends
        try (ZfsWorkGate.Closed c = unshared.close("a CLI cycle")) {
            assertFalse(c.passage().forced());
            assertFalse(unshared.closed());
            CompletableFuture.runAsync(() -> unshared.enter("zfs destroy p/db@old").close(), threads).get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void boundsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new ZfsWorkGate(Duration.ofSeconds(3), Duration.ofSeconds(2)));
        assertThrows(IllegalArgumentException.class, () -> new ZfsWorkGate(Duration.ofSeconds(-1), Duration.ofSeconds(2)));
    }
}
