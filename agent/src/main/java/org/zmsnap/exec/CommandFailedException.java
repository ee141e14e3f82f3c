package org.zmsnap.exec;

/** The command ran and exited non-zero; the message carries its stderr. */
public final class CommandFailedException extends CommandException {
    private static final long serialVersionUID = 1L;
    private final transient CommandResult result;

    public CommandFailedException(CommandResult result) {
        super("'" + result.command().display() + "' failed (exit " + result.exitCode() + ")"
                + (result.stderr().isBlank() ? "" : ": " + result.stderr().strip()), null);
        this.result = result;
    }

    public CommandResult result() {
        return result;
    }

    public String stderr() {
        return result.stderr();
    }
}
