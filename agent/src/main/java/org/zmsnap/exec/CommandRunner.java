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

    /**
     * {@link #run} on this runner's lowest-latency path, for one short command inside the database lock window
     * (the snapshot itself), where every millisecond is a millisecond writers wait. Same result, same timeout
     * and tree kill. The default is {@link #run}; {@link LocalCommandRunner} starts no threads for it.
     */
    default CommandResult runQuick(Command command) {
        return run(command);
    }
}
