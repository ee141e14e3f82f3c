package org.zmsnap.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;
import org.apache.commons.exec.Watchdog;

/** Runs commands on this host with Apache Commons Exec: argument list, hard timeout, captured output. */
public final class LocalCommandRunner implements CommandRunner {
    /** How long to wait for output pumps after the process ended (an orphaned grandchild may hold a pipe). */
    private static final Duration PUMP_STOP = Duration.ofSeconds(2);

    private final Map<String, String> environment;

    public LocalCommandRunner() {
        this(Map.of("LC_ALL", "C"));
    }

    /** {@code environment} is added to this process's environment for every command. */
    public LocalCommandRunner(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public CommandResult run(Command command) {
        CommandLine line = new CommandLine(command.argv().get(0));
        for (String arg : command.argv().subList(1, command.argv().size())) {
            line.addArgument(arg, false); // false: no quoting; it is an argv element, not shell text
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PumpStreamHandler pumps = new PumpStreamHandler(out, err);
        pumps.setStopTimeout(PUMP_STOP);
        TreeKillingWatchdog watchdog = new TreeKillingWatchdog(command.timeout());
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(pumps);
        executor.setWatchdog(watchdog);
        executor.setExitValues(null); // every exit code is a result
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.putAll(environment);
        long start = System.nanoTime();
        int exit;
        try {
            exit = executor.execute(line, env);
        } catch (ExecuteException e) {
            exit = e.getExitValue();
        } catch (IOException e) {
            throw new CommandStartException(command, e);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        String stderr = err.toString(StandardCharsets.UTF_8);
        if (watchdog.killedProcess()) {
            throw new CommandTimeoutException(command, stderr);
        }
        return new CommandResult(command, exit, out.toString(StandardCharsets.UTF_8), stderr, elapsed);
    }

    /**
     * Commons Exec kills only the direct child on timeout. A wrapper script's children (or a hung
     * helper) would survive and keep our pipes open, so kill the whole tree.
     */
    private static final class TreeKillingWatchdog extends ExecuteWatchdog {
        private Process process;

        @SuppressWarnings("deprecation")
        TreeKillingWatchdog(Duration timeout) {
            super(timeout.toMillis());
        }

        @Override
        public synchronized void start(Process p) {
            this.process = p;
            super.start(p);
        }

        @Override
        public synchronized void timeoutOccured(Watchdog w) {
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
            }
            super.timeoutOccured(w);
        }
    }
}
