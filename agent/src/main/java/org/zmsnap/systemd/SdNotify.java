package org.zmsnap.systemd;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * sd_notify(3): datagrams to the unix socket named by {@code NOTIFY_SOCKET}. JDK 17 has no unix datagram
 * sockets, so this goes through libc with JNA (already on the classpath for Connector/J). Without
 * NOTIFY_SOCKET (not started by systemd with Type=notify) every call does nothing.
 */
public final class SdNotify {
    static final int AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SUN_PATH_MAX = 108;

    /** The libc calls used here and by the test's receiving socket. */
    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int socket(int domain, int type, int protocol);

        // size_t and ssize_t are 64-bit on the Linux platforms zmsnap supports
        long sendto(int fd, byte[] buf, long len, int flags, Pointer addr, int addrLen);

        int bind(int fd, Pointer addr, int addrLen);

        long recv(int fd, byte[] buf, long len, int flags);

        int close(int fd);
    }

    private final Optional<String> socketPath;

    private SdNotify(Optional<String> socketPath) {
        this.socketPath = socketPath;
    }

    public static SdNotify fromEnvironment() {
        return new SdNotify(Optional.ofNullable(System.getenv("NOTIFY_SOCKET")).filter(s -> !s.isEmpty()));
    }

    public static SdNotify to(String socketPath) {
        return new SdNotify(Optional.of(socketPath));
    }

    public boolean enabled() {
        return socketPath.isPresent();
    }

    public void ready(String status) {
        send("READY=1\nSTATUS=" + status);
    }

    public void status(String status) {
        send("STATUS=" + status);
    }

    public void watchdog() {
        send("WATCHDOG=1");
    }

    public void stopping() {
        send("STOPPING=1");
    }

    /** Sends one datagram; false when there is no socket or the send failed (systemd gone: nothing to do). */
    public boolean send(String message) {
        if (socketPath.isEmpty()) {
            return false;
        }
        LibC c = LibC.INSTANCE;
        int fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            return false;
        }
        try {
            Address a = address(socketPath.get());
            byte[] data = message.getBytes(StandardCharsets.UTF_8);
            return c.sendto(fd, data, data.length, 0, a.memory(), a.length()) == data.length;
        } finally {
            c.close(fd);
        }
    }

    /** A sockaddr_un and its length; '@' at the start names an abstract socket (leading NUL). */
    record Address(Memory memory, int length) {}

    static Address address(String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = p.length > 0 && p[0] == '@';
        if (p.length >= SUN_PATH_MAX) {
            throw new IllegalArgumentException("socket path too long: " + path);
        }
        Memory m = new Memory(2 + SUN_PATH_MAX);
        m.clear();
        m.setShort(0, (short) AF_UNIX);
        m.write(2, p, 0, p.length);
        if (abstractName) {
            m.setByte(2, (byte) 0);
            return new Address(m, 2 + p.length);
        }
        return new Address(m, 2 + p.length + 1);
    }
}
