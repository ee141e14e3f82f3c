package org.zmsnap.exec;

import java.time.Duration;

/** How a command ended. A timeout is not a result: it is a {@link CommandTimeoutException}. */
public record CommandResult(Command command, int exitCode, String stdout, String stderr, Duration elapsed) {
    public boolean ok() {
        return exitCode == 0;
    }

    /** This result, or a {@link CommandFailedException} carrying its stderr when the exit code is not 0. */
    public CommandResult orThrow() {
        if (exitCode != 0) {
            throw new CommandFailedException(this);
        }
        return this;
    }
}
