package org.zmsnap.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Runs a command with this process's stdin, stdout and stderr, and returns its exit code: what a forced SSH
 * command does once it has decided the request is allowed (the stream of a zfs receive passes straight through).
 */
public final class PassThrough {
    private PassThrough() {}

    /**
     * Like {@link #run(List)}, except that stdin is fed from here: first {@code head} (bytes this process already
     * read, e.g. to inspect a stream's header), then the rest of {@code in}. Used where the request had to be
     * looked at before the command could be allowed.
     */
    public static int runFeeding(List<String> argv, byte[] head, int headLength, InputStream in) {
        Command c = new Command(argv, java.time.Duration.ofDays(1));
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new CommandStartException(c, e);
        }
        try (OutputStream to = p.getOutputStream()) {
            to.write(head, 0, headLength);
            byte[] buf = new byte[256 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                to.write(buf, 0, n);
            }
        } catch (IOException e) {
            // The command stopped reading (it failed and says why on stderr) or our stdin broke: the exit status
            // tells the client; a receive that did not get its whole stream discards it.
            p.destroy();
        }
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return 130;
        }
    }

    public static int run(List<String> argv) {
        Command c = new Command(argv, java.time.Duration.ofDays(1));
        try {
            Process p = new ProcessBuilder(argv).inheritIO().start();
            return p.waitFor();
        } catch (IOException e) {
            throw new CommandStartException(c, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }
}
