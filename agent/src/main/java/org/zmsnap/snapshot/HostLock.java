package org.zmsnap.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;

/**
 * The host-wide lock that keeps two cycles (the CLI and the daemon, or two CLIs) from overlapping; the same class
 * is each DR link's lock ({@code Config.linkLock}: one target's replications, one source's pulls, prunes,
 * promotion and failback). An OS file lock: released by the kernel when the holder dies, so a crash never leaves it
 * stuck. The file holds the holder's pid and purpose so the second comer can say who holds it (its message still
 * says "cycle" for a link lock too).
 */
public final class HostLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private HostLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Waits up to {@code wait} for the lock; throws {@link HostLockBusyException} naming the holder. */
    public static HostLock acquire(Path file, String purpose, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                while (true) {
                    FileLock l;
                    try {
                        l = ch.tryLock();
                    } catch (OverlappingFileLockException sameJvm) {
                        l = null;
                    }
                    if (l != null) {
                        String who = "pid " + ProcessHandle.current().pid() + ", " + purpose + ", since " + Instant.now() + "\n";
                        ch.truncate(0);
                        ch.write(ByteBuffer.wrap(who.getBytes(StandardCharsets.UTF_8)), 0);
                        ch.force(false);
                        return new HostLock(ch, l);
                    }
                    if (System.nanoTime() > deadline) {
                        String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                        throw new HostLockBusyException("another zmsnap cycle is running (" + (holder.isEmpty() ? "holder unknown" : holder)
                                + "); it holds " + file + ". Wait for it to finish, then try again.");
                    }
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                ch.close();
                Thread.currentThread().interrupt();
                throw new HostLockBusyException("interrupted while waiting for " + file);
            } catch (RuntimeException | IOException e) {
                ch.close();
                throw e;
            }
        } catch (IOException e) {
            throw new HostLockBusyException("cannot open the host lock file " + file + ": " + e.getMessage()
                    + " (set lock-file in the config to a writable path)");
        }
    }

    @Override
    public void close() {
        try {
            channel.truncate(0);
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // closing the channel releases the lock anyway
        }
    }

    /** The lock is held by another cycle, or cannot be taken at all. */
    public static final class HostLockBusyException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public HostLockBusyException(String message) {
            super(message);
        }
    }
}
