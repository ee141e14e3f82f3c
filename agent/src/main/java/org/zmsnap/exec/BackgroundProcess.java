package org.zmsnap.exec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A long-running local server (the restore sandbox's mariadbd) started from an argument list, its output
 * appended to a log file. It is not tied to this JVM: {@code zmsnap mount} leaves it running for a later
 * {@code zmsnap unmount}, which finds it again by pid.
 */
public final class BackgroundProcess {
    private final long pid;
    private final String display;

    private BackgroundProcess(long pid, String display) {
        this.pid = pid;
        this.display = display;
    }

    public static BackgroundProcess start(List<String> argv, Path log) {
        Command c = new Command(argv, Duration.ofDays(365));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("LC_ALL", "C");
        try {
            return new BackgroundProcess(pb.start().pid(), c.display());
        } catch (IOException e) {
            throw new CommandStartException(c, e);
        }
    }

    /** A process started earlier (by this or another zmsnap), found by pid. */
    public static BackgroundProcess of(long pid, String display) {
        return new BackgroundProcess(pid, display);
    }

    /**
     * The processes (not this JVM) whose command line contains {@code fragment}: how a run finds what an earlier run
     * killed with SIGKILL started but never recorded, or left reading a mount (an orphaned rsync, a sandbox mariadbd).
     */
    public static List<BackgroundProcess> withArgument(String fragment) {
        long self = ProcessHandle.current().pid();
        return ProcessHandle.allProcesses()
                .filter(h -> h.pid() != self)
                .filter(h -> h.info().commandLine().map(cl -> cl.contains(fragment)).orElse(false))
                .map(h -> new BackgroundProcess(h.pid(), h.info().command().orElse("pid " + h.pid()))).toList();
    }

    public long pid() {
        return pid;
    }

    public boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The running process's command line, to check a pid from a file still is what we started. */
    public Optional<String> commandLine() {
        return ProcessHandle.of(pid).flatMap(h -> h.info().commandLine());
    }

    /** SIGTERM, wait up to {@code grace}, then SIGKILL; returns once the process is gone. */
    public void stop(Duration grace) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return;
        }
        // Taken now: once the process is gone its children are re-parented and no longer found through it.
        java.util.List<ProcessHandle> children = h.get().descendants().toList();
        try {
            stopOne(h.get(), grace);
        } finally {
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static void stopOne(ProcessHandle h0, Duration grace) {
        Optional<ProcessHandle> h = Optional.of(h0);
        h.get().destroy();
        try {
            h.get().onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            h.get().destroyForcibly();
            try {
                h.get().onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported by alive() to the caller
            }
        } catch (InterruptedException e) {
            h.get().destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // onExit never fails
        }
    }

    @Override
    public String toString() {
        return "pid " + pid + " (" + display + ")";
    }
}
