package org.zmsnap.exec;

/** The program could not be started at all (not installed, not executable). */
public final class CommandStartException extends CommandException {
    private static final long serialVersionUID = 1L;

    public CommandStartException(Command command, Throwable cause) {
        super("cannot run '" + command.argv().get(0) + "': " + cause.getMessage(), cause);
    }
}
