package org.zmsnap.exec;

import java.io.IOException;
import java.util.List;

/**
 * Runs a command with this process's stdin, stdout and stderr, and returns its exit code: what a forced SSH
 * command does once it has decided the request is allowed (the stream of a zfs receive passes straight through).
 */
public final class PassThrough {
    private PassThrough() {}

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
