package org.zmsnap.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.zmsnap.DaemonThreads;

/**
 * Copies a send stream into a receive stream: large buffer, byte counter, optional bandwidth cap, and a stall
 * watchdog — no bytes for {@code stallTimeout} runs {@code onStall} (which kills both ends, so the blocked read
 * or write fails) and the copy reports a stall.
 *
 * <p>The cap is a token bucket shared by every copy of one pump (one replication run): it refills at the cap
 * and holds at most one second's worth. The gaps between datasets (hold, SSH channel, receive start and
 * commit) and pauses inside a stream are made up by a burst of at most one second of the cap, so a run's
 * average comes out at the cap instead of under it, and no pause, however long, buys more than that burst.
 */
public final class StreamPump {
    static final int BUFFER = 1 << 20;

    private final long bytesPerSecond;
    private final Duration stallTimeout;
    /** Bytes that may go without waiting; negative while a wait is owed. Starts empty: no burst at the start. */
    private double tokens;
    private long refilledAt = -1;

    /** @param bytesPerSecond 0 for no cap */
    public StreamPump(long bytesPerSecond, Duration stallTimeout) {
        this.bytesPerSecond = bytesPerSecond;
        this.stallTimeout = stallTimeout;
    }

    public record Result(long bytes, long nanos, boolean stalled) {
        public double bytesPerSecond() {
            return nanos == 0 ? 0 : bytes * 1e9 / nanos;
        }
    }

    /** Looks at a stream's first bytes before any reaches the receiver; throws to refuse the stream. */
    @FunctionalInterface
    public interface Gate {
        void check(byte[] head, int length);
    }

    public Result copy(InputStream in, OutputStream out, Runnable onStall) throws IOException {
        return copy(in, out, onStall, null);
    }

    /**
     * @param gate when present, sees the first {@link StreamHeader#LENGTH} bytes (fewer at end of stream) before
     *             anything is written to {@code out}; what it throws ends the copy with nothing received
     */
    public Result copy(InputStream in, OutputStream out, Runnable onStall, Gate gate) throws IOException {
        AtomicLong progress = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("zmsnap-stall-watchdog"));
        long period = Math.max(50, stallTimeout.toMillis() / 4);
        watch.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - progress.get() > stallTimeout.toNanos() && stalled.compareAndSet(false, true)) {
                onStall.run();
            }
        }, period, period, TimeUnit.MILLISECONDS);
        long start = System.nanoTime();
        long total = 0;
        byte[] buf = new byte[BUFFER];
        try {
            int n;
            if (gate != null) {
                int head = 0;
                while (head < StreamHeader.LENGTH && (n = in.read(buf, head, StreamHeader.LENGTH - head)) > 0) {
                    head += n;
                    progress.set(System.nanoTime());
                }
                gate.check(buf, head);
                out.write(buf, 0, head);
                total += head;
            }
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                total += n;
                progress.set(System.nanoTime());
                throttle(n);
                progress.set(System.nanoTime()); // a deliberate wait for the cap is not a stall
            }
            out.flush();
        } catch (IOException e) {
            if (stalled.get()) {
                return new Result(total, System.nanoTime() - start, true);
            }
            throw e;
        } finally {
            watch.shutdownNow();
        }
        return new Result(total, System.nanoTime() - start, stalled.get());
    }

    /** Takes {@code n} bytes from the bucket and sleeps off any debt. */
    private void throttle(int n) {
        if (bytesPerSecond <= 0) {
            return;
        }
        long now = System.nanoTime();
        if (refilledAt < 0) {
            refilledAt = now;
        }
        tokens = Math.min(bytesPerSecond, tokens + (now - refilledAt) * bytesPerSecond / 1e9) - n;
        refilledAt = now;
        if (tokens < 0) {
            long wait = (long) (-tokens * 1e9 / bytesPerSecond);
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
