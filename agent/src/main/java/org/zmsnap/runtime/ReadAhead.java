package org.zmsnap.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Works on a list a few items ahead of its consumer, on a few threads, and hands results out in list order.
 * Blob reads from a snapshot clone wait on the file system (FUSE, gzip, digest) more than on the CPU, so a
 * whole-mailbox restore goes faster with reads overlapping each other and the writing. The window bounds
 * the memory held by results not yet taken.
 */
public final class ReadAhead<T, R> implements AutoCloseable {
    private final List<T> items;
    private final Function<T, R> work;
    private final int window;
    private final ExecutorService pool;
    private final List<Future<R>> pending;
    private int submitted;

    public ReadAhead(List<T> items, Function<T, R> work, int threads, int window) {
        if (threads < 1 || window < 1) {
            throw new IllegalArgumentException("threads and window must be at least 1");
        }
        this.items = items;
        this.work = work;
        this.window = window;
        this.pending = new ArrayList<>(items.size());
        this.pool = Executors.newFixedThreadPool(threads, DaemonThreads.named("zmsnap-read-ahead"));
    }

    /** The result for item {@code i}; items are taken in order, each once. */
    public R get(int i) {
        while (submitted < items.size() && submitted <= i + window) {
            T item = items.get(submitted++);
            pending.add(pool.submit(() -> work.apply(item)));
        }
        Future<R> f = pending.get(i);
        pending.set(i, null);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while reading ahead");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
