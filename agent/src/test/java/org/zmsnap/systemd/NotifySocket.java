package org.zmsnap.systemd;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A test's end of NOTIFY_SOCKET: a bound unix datagram socket that collects what sd_notify sends. */
public final class NotifySocket implements AutoCloseable {
    private static final int MSG_DONTWAIT = 0x40;
    private final int fd;
    private final Path path;
    private final List<String> received = new ArrayList<>();

    public NotifySocket(Path path) {
        this.path = path;
        SdNotify.LibC c = SdNotify.LibC.INSTANCE;
        fd = c.socket(SdNotify.AF_UNIX, SdNotify.SOCK_DGRAM, 0);
        SdNotify.Address a = SdNotify.address(path.toString());
        if (fd < 0 || c.bind(fd, a.memory(), a.length()) != 0) {
            throw new IllegalStateException("cannot bind a datagram socket at " + path);
        }
    }

    public Path path() {
        return path;
    }

    /** Everything received so far, draining the socket first. */
    public synchronized List<String> messages() {
        byte[] buf = new byte[4096];
        long n;
        while ((n = SdNotify.LibC.INSTANCE.recv(fd, buf, buf.length, MSG_DONTWAIT)) > 0) {
            received.add(new String(buf, 0, (int) n, StandardCharsets.UTF_8));
        }
        return List.copyOf(received);
    }

    /** Waits until a message containing {@code text} has arrived. */
    public boolean await(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (messages().stream().anyMatch(m -> m.contains(text))) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    @Override
    public void close() throws Exception {
        SdNotify.LibC.INSTANCE.close(fd);
        Files.deleteIfExists(path);
    }
}
