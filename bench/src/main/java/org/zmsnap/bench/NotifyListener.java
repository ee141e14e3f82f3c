package org.zmsnap.bench;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** systemd's end of NOTIFY_SOCKET for a benchmark: a bound unix datagram socket collecting sd_notify messages. */
final class NotifyListener implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int SUN_PATH_MAX = 108;

    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int socket(int domain, int type, int protocol);

        int bind(int fd, Pointer addr, int addrLen);

        long recv(int fd, byte[] buf, long len, int flags);

        int close(int fd);
    }

    private final int fd;
    private final Path path;
    private final List<String> received = new ArrayList<>();

    NotifyListener(Path path) {
        this.path = path;
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        if (p.length >= SUN_PATH_MAX) {
            throw new IllegalArgumentException("socket path too long: " + path);
        }
        Memory m = new Memory(2 + SUN_PATH_MAX);
        m.clear();
        m.setShort(0, (short) AF_UNIX);
        m.write(2, p, 0, p.length);
        fd = LibC.INSTANCE.socket(AF_UNIX, SOCK_DGRAM, 0);
        if (fd < 0 || LibC.INSTANCE.bind(fd, m, 2 + p.length + 1) != 0) {
            throw new IllegalStateException("cannot bind a datagram socket at " + path);
        }
    }

    Path path() {
        return path;
    }

    /** Everything received so far, draining the socket first. */
    synchronized List<String> messages() {
        byte[] buf = new byte[4096];
        long n;
        while ((n = LibC.INSTANCE.recv(fd, buf, buf.length, MSG_DONTWAIT)) > 0) {
            received.add(new String(buf, 0, (int) n, StandardCharsets.UTF_8));
        }
        return List.copyOf(received);
    }

    boolean has(String text) {
        return messages().stream().anyMatch(m -> m.contains(text));
    }

    @Override
    public void close() throws Exception {
        LibC.INSTANCE.close(fd);
        Files.deleteIfExists(path);
    }
}
