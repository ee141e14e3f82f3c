package org.zmsnap.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Drains a stderr stream on its own thread, keeping the first 64 KiB. Draining matters: a command (or an SSH
 * channel) whose stderr fills up stalls.
 */
final class StderrCollector extends Thread {
    private static final int LIMIT = 64 * 1024;
    private final InputStream in;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    StderrCollector(InputStream in, String name) {
        super(name);
        this.in = in;
        setDaemon(true);
        start();
    }

    @Override
    public void run() {
        byte[] b = new byte[4096];
        try (in) {
            int n;
            while ((n = in.read(b)) > 0) {
                synchronized (buf) {
                    if (buf.size() < LIMIT) {
                        buf.write(b, 0, Math.min(n, LIMIT - buf.size()));
                    }
                }
            }
        } catch (IOException ignored) {
            // the command ended or was killed
        }
    }

    String text() {
        synchronized (buf) {
            return buf.toString(StandardCharsets.UTF_8);
        }
    }
}
