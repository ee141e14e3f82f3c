package org.zmsnap.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.zmsnap.runtime.DaemonThreads;

/**
 * Copies a send stream into a receive stream: large buffer, byte counter, optional bandwidth cap, and a watchdog
 * that ends a copy which no longer moves enough — it runs {@code onStop} (which kills both ends, so the blocked
 * read or write fails) and the copy reports why ({@link Stop}):
 * <ul>
 * <li>no bytes at all for {@code stallTimeout}, from this copy or any other copy of the run ({@link Stop.Stalled}): the
 * copies of a run over SSH share one session, whose single reader hands each channel's data over in the order it
 * arrived (JSch has no per-channel flow control), so a copy waiting for the cap holds up the others' bytes queued
 * behind its own. A copy that sees nothing while the run moves is queued, not hung; a hung one is caught when the
 * others have finished, or by the run's deadline;</li>
 * <li>fewer than {@code minRate} bytes per second, averaged over the last {@code stallTimeout}, moved by all of
 * the run's copies together ({@link Stop.TooSlow}): a trickling sender (a throttled or compromised mailbox host) would otherwise keep the
 * run, and the link lock that a promotion waits for, forever;</li>
 * <li>the run is older than {@code maxDuration}, counted from the pump's creation: one pump serves one run
 * ({@link Stop.OutOfTime}).</li>
 * </ul>
 *
 * <p>The cap is a token bucket shared by every copy of one pump (one replication run): it refills at the cap
 * and holds at most one second's worth. The gaps between datasets (hold, SSH channel, receive start and
 * commit) and pauses inside a stream are made up by a burst of at most one second of the cap, so a run's
 * average comes out at the cap instead of under it, and no pause, however long, buys more than that burst.
 * Under a cap the pump reads at most a quarter second's worth at a time, so no single wait for the cap is long
 * enough to look like a stall or a trickle; and a minimum rate above half the cap is lowered to half the cap —
 * the admin's own throttle never trips the admin's own floor.
 */
public final class StreamPump {
    static final int BUFFER = 1 << 20;

    private final long bytesPerSecond;
    private final Duration stallTimeout;
    /** Added to the stall timeout until a copy's first byte (see the constructor's startTimeout). */
    private final long startGrace;
    private final long minRate;
    private final Duration maxDuration;
    /** {@link System#nanoTime()} at which the run is out of time; only meaningful when maxDuration is positive. */
    private final long deadline;
    /** Bytes that may go without waiting; negative while a wait is owed. Starts empty: no burst at the start. */
    private double tokens;
    private long refilledAt = -1;
    /**
     * Bytes every copy of this pump has moved: the minimum rate judges the run's streams together. Parallel streams
     * share the cap, so one of four gets a quarter of it; judged alone it would trip a floor set for the link.
     */
    private final AtomicLong allMoved = new AtomicLong();
    /** {@link System#nanoTime()} of the last byte any copy of this pump moved (or the end of its deliberate wait). */
    private final AtomicLong runProgress = new AtomicLong(System.nanoTime());

    /** A pump with no minimum rate and no deadline. @param bytesPerSecond 0 for no cap */
    public StreamPump(long bytesPerSecond, Duration stallTimeout) {
        this(bytesPerSecond, stallTimeout, 0, Duration.ZERO);
    }

    /**
     * @param bytesPerSecond 0 for no cap
     * @param minRate        bytes per second averaged over {@code stallTimeout} below which a copy is ended; 0: none
     * @param maxDuration    how long the run (every copy of this pump) may take; zero: no limit
     */
    public StreamPump(long bytesPerSecond, Duration stallTimeout, long minRate, Duration maxDuration) {
        this(bytesPerSecond, stallTimeout, minRate, maxDuration, stallTimeout);
    }

    /**
     * @param startTimeout how long a copy may wait for its first byte, when longer than {@code stallTimeout}: the
     *                     sender is still starting (behind a forced command a JVM, and parallel streams start theirs
     *                     at once on the same cores), which the command timeout bounds, not the stall timeout
     */
    public StreamPump(long bytesPerSecond, Duration stallTimeout, long minRate, Duration maxDuration, Duration startTimeout) {
        this.startGrace = Math.max(0, startTimeout.toNanos() - stallTimeout.toNanos());
        this.bytesPerSecond = bytesPerSecond;
        this.stallTimeout = stallTimeout;
        this.minRate = bytesPerSecond > 0 ? Math.min(minRate, bytesPerSecond / 2) : minRate;
        this.maxDuration = maxDuration;
        // Beyond a century the deadline is as good as none; capping it keeps toNanos() from overflowing.
        Duration bounded = maxDuration.compareTo(Duration.ofDays(36_500)) > 0 ? Duration.ofDays(36_500) : maxDuration;
        this.deadline = System.nanoTime() + ((!bounded.isZero() && !bounded.isNegative()) ? bounded.toNanos() : 0);
    }

    /** Why the watchdog ended a copy: each says what happened and what the admin can do. */
    public sealed interface Stop {
        String describe();

        record Stalled(Duration timeout) implements Stop {
            @Override
            public String describe() {
                return "the stream stalled (no bytes for " + timeout.toSeconds() + " s)";
            }
        }

        record TooSlow(long bytes, Duration window, long minRate) implements Stop {
            @Override
            public String describe() {
                return "the transfer trickled: " + bytes + " bytes in the last " + window.toSeconds() + " s ("
                        + bytes * 1000 / Math.max(1, window.toMillis()) + " bytes/s), under the min-rate of "
                        + minRate + " bytes/s. A mailbox host that sends this slowly is overloaded, throttled or"
                        + " compromised, or the link is degraded: check it; if the link really is this slow, lower min-rate"
                        + " (0 turns the check off)";
            }
        }

        record OutOfTime(Duration maxDuration) implements Stop {
            @Override
            public String describe() {
                return "the run reached its max-duration of " + org.zmsnap.config.Durations.format(maxDuration)
                        + ". If a transfer this large needs longer (a first full seed), raise max-duration (0 turns it off)";
            }
        }
    }

    /** @param stop present when the watchdog ended the copy (the bytes are what got through until then) */
    public record Result(long bytes, long nanos, Optional<Stop> stop) {
        /** The watchdog ended the copy (stall, trickle or deadline). */
        public boolean stalled() {
            return stop.isPresent();
        }

        public double bytesPerSecond() {
            return nanos == 0 ? 0 : bytes * 1e9 / nanos;
        }
    }

    /** Looks at a stream's first bytes before any reaches the receiver; throws to refuse the stream. */
    @FunctionalInterface
    public interface Gate {
        void check(byte[] head, int length);
    }

    public Result copy(InputStream in, OutputStream out, Runnable onStop) throws IOException {
        return copy(in, out, onStop, null);
    }

    /**
     * @param gate when present, sees the first {@link StreamHeader#LENGTH} bytes (fewer at end of stream) before
     *             anything is written to {@code out}; what it throws ends the copy with nothing received
     */
    public Result copy(InputStream in, OutputStream out, Runnable onStop, Gate gate) throws IOException {
        return copy(in, out, onStop, gate, n -> { });
    }

    /** @param moved told the bytes copied so far after every write (for progress; it must be quick) */
    public Result copy(InputStream in, OutputStream out, Runnable onStop, Gate gate, java.util.function.LongConsumer moved)
            throws IOException {
        long start = System.nanoTime();
        if (outOfTime(start)) {
            // Nothing is read: the caller ends both commands, as for any stopped copy.
            return new Result(0, 0, Optional.of(new Stop.OutOfTime(maxDuration)));
        }
        AtomicLong progress = new AtomicLong(start + startGrace); // the first byte sets it to its real time
        AtomicReference<Stop> stopped = new AtomicReference<>();
        Watch watch = new Watch(start, allMoved.get());
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("zmsnap-stall-watchdog"));
        long period = Math.max(50, stallTimeout.toMillis() / 4);
        watchdog.scheduleAtFixedRate(() -> {
            Optional<Stop> why = watch.check(System.nanoTime(), latest(progress.get(), runProgress.get()), allMoved.get());
            if (why.isPresent() && stopped.compareAndSet(null, why.get())) {
                onStop.run();
            }
        }, period, period, TimeUnit.MILLISECONDS);
        long total = 0;
        byte[] buf = new byte[BUFFER];
        // Under a cap, a quarter second's worth per read: one wait for the cap stays short (see the class comment).
        int chunk = bytesPerSecond > 0 ? (int) Math.max(1024, Math.min(BUFFER, bytesPerSecond / 4)) : BUFFER;
        try {
            int n;
            if (gate != null) {
                int head = 0;
                while (head < StreamHeader.LENGTH && (n = in.read(buf, head, StreamHeader.LENGTH - head)) > 0) {
                    head += n;
                    allMoved.addAndGet(n);
                    moved(progress, System.nanoTime());
                }
                gate.check(buf, head);
                out.write(buf, 0, head);
                total += head;
                moved.accept(total);
            }
            while ((n = in.read(buf, 0, chunk)) > 0) {
                out.write(buf, 0, n);
                total += n;
                allMoved.addAndGet(n);
                moved.accept(total);
                moved(progress, System.nanoTime());
                throttle(n, progress);
                moved(progress, System.nanoTime());
            }
            out.flush();
        } catch (IOException e) {
            if (stopped.get() != null) {
                return new Result(total, System.nanoTime() - start, Optional.of(stopped.get()));
            }
            throw e;
        } finally {
            watchdog.shutdownNow();
        }
        return new Result(total, System.nanoTime() - start, Optional.ofNullable(stopped.get()));
    }

    /** This copy moved (or deliberately waits) until {@code at}, and so did the run. */
    private void moved(AtomicLong progress, long at) {
        progress.set(at);
        runProgress.accumulateAndGet(at, StreamPump::latest);
    }

    /** The later of two {@link System#nanoTime()} values (they may wrap: compared by difference). */
    private static long latest(long a, long b) {
        return a - b >= 0 ? a : b;
    }

    private boolean outOfTime(long now) {
        return (!maxDuration.isZero() && !maxDuration.isNegative()) && now - deadline >= 0;
    }

    /**
     * The watchdog's rules over one copy, in the order they are checked: deadline, stall, minimum rate. Called
     * only from the watchdog thread; the rate is judged over the last full window of samples, never over a copy
     * younger than one window.
     */
    private final class Watch {
        /** (nanoTime, bytes moved) pairs, oldest first, covering at least the last window. */
        private final ArrayDeque<long[]> samples = new ArrayDeque<>();

        Watch(long start, long movedAtStart) {
            samples.addLast(new long[] {start, movedAtStart});
        }

        Optional<Stop> check(long now, long lastProgress, long moved) {
            if (outOfTime(now)) {
                return Optional.of(new Stop.OutOfTime(maxDuration));
            }
            if (now - lastProgress > stallTimeout.toNanos()) {
                return Optional.of(new Stop.Stalled(stallTimeout));
            }
            if (minRate <= 0) {
                return Optional.empty();
            }
            long window = stallTimeout.toNanos();
            samples.addLast(new long[] {now, moved});
            // Keep the newest sample that is at least one window old as the window's start.
            while (samples.size() > 2 && now - secondOldest()[0] >= window) {
                samples.removeFirst();
            }
            long[] from = samples.peekFirst();
            long span = now - from[0];
            if (span < window) {
                return Optional.empty();
            }
            long bytes = moved - from[1];
            if (bytes * 1e9 / span < minRate) {
                return Optional.of(new Stop.TooSlow(bytes, Duration.ofNanos(span), minRate));
            }
            return Optional.empty();
        }

        private long[] secondOldest() {
            var it = samples.iterator();
            it.next();
            return it.next();
        }
    }

    /** Takes {@code n} bytes from the bucket and sleeps off any debt. */
    private void throttle(int n, AtomicLong progress) {
        if (bytesPerSecond <= 0) {
            return;
        }
        long wait = owed(n);
        if (wait > 0) {
            // A deliberate wait for the cap is not a stall, however long parallel streams' shared debt makes it.
            moved(progress, System.nanoTime() + wait);
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Takes {@code n} bytes from the bucket; how long to wait for them. Parallel streams of one run share the bucket:
     * each waits for its own debt plus what the others owe before it, so together they stay at the cap.
     */
    private synchronized long owed(int n) {
        long now = System.nanoTime();
        if (refilledAt < 0) {
            refilledAt = now;
        }
        tokens = Math.min(bytesPerSecond, tokens + (now - refilledAt) * bytesPerSecond / 1e9) - n;
        refilledAt = now;
        return tokens < 0 ? (long) (-tokens * 1e9 / bytesPerSecond) : 0;
    }
}
