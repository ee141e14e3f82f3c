package org.zmsnap.exec;

/** A command could not be run, failed, or ran out of time. */
public abstract sealed class CommandException extends RuntimeException
        permits CommandFailedException, CommandTimeoutException, CommandStartException {
    private static final long serialVersionUID = 1L;

    protected CommandException(String message, Throwable cause) {
        super(message, cause);
    }
}
