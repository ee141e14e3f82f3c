package org.zmsnap.exec;

/** The command did not finish within its timeout and was killed (with its descendants). */
public final class CommandTimeoutException extends CommandException {
    private static final long serialVersionUID = 1L;

    public CommandTimeoutException(Command command, String stderr) {
        super("'" + command.display() + "' did not finish within " + command.timeout().toMillis()
                + " ms and was killed" + (stderr.isBlank() ? "" : ": " + stderr.strip()), null);
    }
}
