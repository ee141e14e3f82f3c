package org.zmsnap.exec;

/**
 * Runs external commands. The only way zmsnap starts a process: the local implementation uses
 * Apache Commons Exec, a remote one runs over SSH. Implementations never invoke a shell locally.
 */
public interface CommandRunner {
    /**
     * Runs {@code command} to completion and captures its output. A non-zero exit is a result, not an
     * exception; a timeout kills the process tree and throws {@link CommandTimeoutException}.
     */
    CommandResult run(Command command);
}
