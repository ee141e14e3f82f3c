package org.zmsnap.exec;

import java.io.IOException;
import java.io.InputStream;

/**
 * Drains a stderr stream on its own thread, keeping the first 64 KiB. Draining matters: a command (or an SSH
 * channel) whose stderr fills up stalls.
 */
final class StderrCollector extends Thread {
    private final InputStream in;
    private final BoundedText text = new BoundedText();

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
                text.append(b, 0, n);
            }
        } catch (IOException ignored) {
            // the command ended or was killed
        }
    }

    String text() {
        return text.text();
    }
}
