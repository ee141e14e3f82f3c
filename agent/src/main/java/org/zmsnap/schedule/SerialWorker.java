package org.zmsnap.schedule;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.zmsnap.runtime.DaemonThreads;

/**
 * One thread that runs long work (transfers, retention, drills) in order, off the scheduler's thread, so snapshot
 * cycles never wait for a transfer. Closing abandons a transfer in progress: ZFS discards a partial receive
 * (or keeps its resume token) and the next run repeats or resumes it.
 */
final class SerialWorker implements AutoCloseable {
    private final ExecutorService executor;

    SerialWorker(String name) {
        executor = Executors.newSingleThreadExecutor(DaemonThreads.named(name));
    }

    void submit(Runnable work) {
        executor.submit(work);
    }

    /** True once closed: work cut short then says nothing about what it was doing. */
    boolean stopped() {
        return executor.isShutdown();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
