package org.zmsnap.zfs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps zmsnap's own ZFS work out of the database lock window. A snapshot cycle {@link #close closes} the gate before it
 * acquires the lock and reopens it right after the release; while it is closed, every other thread's zfs command (hold,
 * release, destroy, receive, a listing: {@link #enter}) and every stream about to start ({@link #awaitOpen}) waits, and
 * resumes as soon as it reopens. On OpenZFS a snapshot waits for a txg sync, and holds, releases, destroys and receives
 * are sync tasks competing for the same syncs: each one running under the lock lengthens the window writers wait in.
 *
 * <p>The cycle has priority, but the gate never deadlocks, because both sides wait with a bound:
 * <ul>
 * <li>closing waits for the commands already running (they cannot be paused) for at most {@code drainBound}; a hung one
 *     does not stop the cycle, which goes ahead and reports the gate {@linkplain Passage#forced() forced};</li>
 * <li>a gate closed for longer than {@code maxClosed} (a hung cycle) counts as open: waiting work goes ahead, with a
 *     warning.</li>
 * </ul>
 * A stream that is already running ({@code zfs send | zfs receive}) is not paused or killed: only its start waits.
 *
 * <p>The thread that closed the gate passes through it: the cycle's own zfs commands are the ones that must run. One gate
 * per daemon (built by {@code AgentContext}); a CLI process has its own, which nothing closes.
 */
public final class ZfsWorkGate {
    private static final Logger LOG = LoggerFactory.getLogger(ZfsWorkGate.class);
    /** Waiters look at the clock at least this often, so a gate past {@code maxClosed} is noticed without a signal. */
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Duration drainBound;
    private final Duration maxClosed;
    private final LongSupplier nanoTime;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Long, String> inFlight = new LinkedHashMap<>();
    private long nextId;
    /** The closing cycle's thread; null while open. */
    private Thread closer;
    private String closedFor = "";
    private long closedAt;
    private long generation;
    private boolean overdueReported;
    private volatile Listener listener = Listener.NONE;

    /**
     * @param drainBound how long a closing cycle waits for zfs commands already running
     * @param maxClosed  after this, counted from the close, the gate is open again whatever the cycle does
     */
    public ZfsWorkGate(Duration drainBound, Duration maxClosed) {
        this(drainBound, maxClosed, System::nanoTime);
    }

    /** With a clock of its own: the unit tests' fake one. */
    public ZfsWorkGate(Duration drainBound, Duration maxClosed, LongSupplier nanoTime) {
        if (drainBound.isNegative() || maxClosed.compareTo(drainBound) < 0) {
            throw new IllegalArgumentException("gate bounds: drain " + drainBound + ", max closed " + maxClosed);
        }
        this.drainBound = drainBound;
        this.maxClosed = maxClosed;
        this.nanoTime = nanoTime;
    }

    /** A gate for a {@link Zfs} nothing else shares: nobody closes it, so nothing ever waits. */
    public static ZfsWorkGate unshared() {
        return new ZfsWorkGate(Duration.ZERO, Duration.ZERO);
    }

    /** The daemon's metrics hear about work that waited; set once at start. */
    public void listen(Listener l) {
        this.listener = l == null ? Listener.NONE : l;
    }

    public Duration maxClosed() {
        return maxClosed;
    }

    /** What the gate tells the daemon's metrics. */
    public interface Listener {
        Listener NONE = waited -> { };

        /** A zfs command or a stream's start waited {@code waited} for a cycle (only called when it waited). */
        void workWaited(Duration waited);
    }

    /** A zfs command in flight; closing it lets a waiting cycle go ahead. */
    public interface Pass extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * What closing cost the cycle.
     *
     * @param forced    commands were still running after {@code drainBound}: the cycle went ahead anyway
     * @param waitNanos how long the cycle waited for commands in flight (and for another closer, if any)
     * @param pending   what was still running when the gate was forced
     */
    public record Passage(boolean forced, long waitNanos, List<String> pending) {
        public Passage {
            pending = List.copyOf(pending);
        }
    }

    /** The gate, closed by one cycle: {@link #close()} reopens it. */
    public final class Closed implements AutoCloseable {
        private final long gen;
        private final Passage passage;

        private Closed(long gen, Passage passage) {
            this.gen = gen;
            this.passage = passage;
        }

        public Passage passage() {
            return passage;
        }

        /** Reopens the gate (once; a gate reopened since by time is left as it is). */
        @Override
        public void close() {
            lock.lock();
            try {
                if (generation == gen && closer != null) {
                    closer = null;
                    closedFor = "";
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Before a zfs command: waits while a cycle has the gate closed, then counts the command in flight until the returned
     * pass is closed.
     *
     * @throws ZfsException when interrupted while waiting (the daemon is stopping): the command was not started
     */
    public Pass enter(String what) {
        long waited;
        long id;
        lock.lock();
        try {
            if (Thread.currentThread() == closer) {
                return () -> { };
            }
            waited = waitWhileClosed(what);
            id = ++nextId;
            inFlight.put(id, what);
        } finally {
            lock.unlock();
        }
        report(waited);
        return () -> leave(id);
    }

    /** Before a stream starts: waits while a cycle has the gate closed. A running stream is not counted in flight. */
    public void awaitOpen(String what) {
        long waited = 0;
        lock.lock();
        try {
            if (Thread.currentThread() != closer) {
                waited = waitWhileClosed(what);
            }
        } finally {
            lock.unlock();
        }
        report(waited);
    }

    private void report(long waitedNanos) {
        if (waitedNanos > 0) {
            listener.workWaited(Duration.ofNanos(waitedNanos));
        }
    }

    /**
     * Closes the gate for a cycle about to take the database lock: new work waits from now on; commands already running
     * are waited for up to {@code drainBound}, then the cycle goes ahead and the passage says it was forced. A gate closed
     * by another cycle is waited for first (bounded by its {@code maxClosed}).
     */
    public Closed close(String why) {
        lock.lock();
        try {
            if (maxClosed.isZero()) {
                return new Closed(++generation, new Passage(false, 0, List.of())); // an unshared gate: nothing to keep out
            }
            long start = nanoTime.getAsLong();
            boolean interrupted = false;
            try {
                waitWhileClosed(why);
            } catch (ZfsException e) {
                interrupted = true; // the cycle goes ahead as if no gate existed
            }
            closer = Thread.currentThread();
            closedFor = why;
            closedAt = nanoTime.getAsLong();
            overdueReported = false;
            long gen = ++generation;
            while (!inFlight.isEmpty() && !interrupted) {
                long left = closedAt + drainBound.toNanos() - nanoTime.getAsLong();
                if (left <= 0) {
                    break;
                }
                try {
                    changed.awaitNanos(Math.min(left, SLICE_NANOS));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            long waited = nanoTime.getAsLong() - start;
            if (inFlight.isEmpty()) {
                return new Closed(gen, new Passage(false, waited, List.of()));
            }
            List<String> pending = new ArrayList<>(inFlight.values());
            LOG.warn("{}: zfs work still running after {} ms, going ahead anyway (gate forced): {}", why,
                    drainBound.toMillis(), pending);
            return new Closed(gen, new Passage(true, waited, pending));
        } finally {
            lock.unlock();
        }
    }

    /** True while a cycle has the gate closed and its {@code maxClosed} has not run out. */
    public boolean closed() {
        lock.lock();
        try {
            return closedNow();
        } finally {
            lock.unlock();
        }
    }

    /** Commands in flight now, for tests (the gate's own messages read the map under its lock). */
    public List<String> inFlight() {
        lock.lock();
        try {
            return List.copyOf(inFlight.values());
        } finally {
            lock.unlock();
        }
    }

    private boolean closedNow() {
        return closer != null && nanoTime.getAsLong() - closedAt < maxClosed.toNanos();
    }

    /** Called with the lock held; returns how long it waited (0: the gate was open). */
    private long waitWhileClosed(String what) {
        if (!closedNow()) {
            return 0;
        }
        long start = nanoTime.getAsLong();
        while (closer != null) {
            long left = closedAt + maxClosed.toNanos() - nanoTime.getAsLong();
            if (left <= 0) {
                if (!overdueReported) {
                    overdueReported = true;
                    LOG.warn("the ZFS work gate has been closed by '{}' for more than {} ms; zfs work goes ahead without it"
                            + " (first: {})", closedFor, maxClosed.toMillis(), what);
                }
                break;
            }
            try {
                changed.awaitNanos(Math.min(left, SLICE_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ZfsException("interrupted while waiting for the snapshot cycle to reopen the ZFS work gate; "
                        + what + " was not started", e);
            }
        }
        return Math.max(1, nanoTime.getAsLong() - start);
    }

    private void leave(long id) {
        lock.lock();
        try {
            if (inFlight.remove(id) != null) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }
}
