package org.zmsnap.exec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A command's stderr as kept for its result: the first 64 KiB, the rest dropped. Bounded because the other end may be
 * a compromised host answering with gigabytes. Thread-safe: filled by a reader thread, read by the caller.
 */
final class BoundedText {
    static final int LIMIT = 64 * 1024;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    synchronized void append(byte[] b, int off, int len) {
        buf.write(b, off, Math.min(len, Math.max(0, LIMIT - buf.size())));
    }

    synchronized String text() {
        return buf.toString(StandardCharsets.UTF_8);
    }
}
