package org.zmsnap.verify;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.zmsnap.config.VerifyConfig;
import org.zmsnap.exec.Command;
import org.zmsnap.exec.CommandResult;
import org.zmsnap.exec.CommandRunner;

/**
 * A drill's priority: it reads the whole store and runs a second mariadbd on a host whose live Zimbra comes
 * first. The sandbox mariadbd is started through {@code nice}/{@code ionice} (each execs the next, so the pid stays
 * the server's); the blob reads and digests run on threads started by a thread lowered with {@code renice} and
 * {@code ionice -p} (Linux keeps both per thread, and new threads inherit them). A tool that is not installed is
 * left out, with a warning. A restore is not a drill: someone is waiting for it, so it keeps normal priority.
 *
 * @param nice 0..19, added to the niceness zmsnap runs at (as {@code nice} does; capped at 19); 0 leaves it alone
 */
public record LowPriority(int nice, VerifyConfig.IoClass io, Function<String, Optional<Path>> which) {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    public static LowPriority of(int nice, VerifyConfig.IoClass io) {
        return new LowPriority(nice, io, LowPriority::onPath);
    }

    /** The drills' configured priority, or the defaults (nice 10, ionice best-effort 7) without a verify section. */
    public static LowPriority of(Optional<VerifyConfig> config) {
        return config.map(c -> of(c.nice(), c.ionice())).orElse(of(VerifyConfig.DEFAULT_NICE, VerifyConfig.IoClass.BEST_EFFORT));
    }

    /** Normal priority: nothing changed, nothing prefixed. */
    public static LowPriority normal() {
        return of(0, VerifyConfig.IoClass.NONE);
    }

    /**
     * What execs the sandbox mariadbd, e.g. {@code /usr/bin/nice -n 10 /usr/bin/ionice -c 2 -n 7}. A process starts
     * at the niceness of the thread that starts it, and {@code nice} adds to that: from a thread already lowered by
     * {@link #lowerThisThread} only what is missing to the target is added (nothing), never the whole step again.
     */
    public List<String> launcher() {
        List<String> out = new ArrayList<>();
        if (nice > 0) {
            int target = Math.min(19, processNice().orElse(0) + nice);
            int add = target - threadNice().or(LowPriority::processNice).orElse(0);
            if (add > 0) {
                which.apply("nice").ifPresent(p -> out.addAll(List.of(p.toString(), "-n", Integer.toString(add))));
            }
        }
        if (io != VerifyConfig.IoClass.NONE) {
            which.apply("ionice").ifPresent(p -> {
                out.add(p.toString());
                out.addAll(ioArgs());
            });
        }
        return out;
    }

    private List<String> ioArgs() {
        return io == VerifyConfig.IoClass.IDLE ? List.of("-c", "3") : List.of("-c", "2", "-n", "7");
    }

    /**
     * Lowers the calling thread, and so every thread it starts from now on (the blob readers). Irreversible for
     * an unprivileged process: call it on a thread that only drills (the CLI's, or zmsnapd's drill worker).
     *
     * @return what could not be done, for a warning; the drill runs either way
     */
    public List<String> lowerThisThread(CommandRunner runner) {
        List<String> warnings = new ArrayList<>();
        if (nice == 0 && io == VerifyConfig.IoClass.NONE) {
            return warnings;
        }
        Optional<String> tid = threadId();
        if (tid.isEmpty()) {
            warnings.add("cannot tell this thread's id (/proc/thread-self): blob reads run at normal priority");
            return warnings;
        }
        if (nice > 0) {
            // renice sets, nice adds: add to the process's own niceness (its main thread's, never lowered here), so
            // the threads end where the sandbox does and a second drill on the same thread does not lower it further.
            int target = Math.min(19, processNice().orElse(0) + nice);
            run(runner, "renice", List.of("-n", Integer.toString(target), "-p", tid.get()), warnings);
        }
        if (io != VerifyConfig.IoClass.NONE) {
            List<String> args = new ArrayList<>(ioArgs());
            args.addAll(List.of("-p", tid.get()));
            run(runner, "ionice", args, warnings);
        }
        return warnings;
    }

    private void run(CommandRunner runner, String tool, List<String> args, List<String> warnings) {
        Optional<Path> prog = which.apply(tool);
        if (prog.isEmpty()) {
            warnings.add(tool + " is not installed: the drill's blob reads run without it");
            return;
        }
        List<String> argv = new ArrayList<>(List.of(prog.get().toString()));
        argv.addAll(args);
        try {
            CommandResult r = runner.run(new Command(argv, TIMEOUT));
            if (!r.ok()) {
                warnings.add(String.join(" ", argv) + " failed: " + r.stderr().strip());
            }
        } catch (RuntimeException e) {
            warnings.add(String.join(" ", argv) + " failed: " + e.getMessage());
        }
    }

    /** The kernel's id of the calling thread: /proc/thread-self links to {@code <pid>/task/<tid>}. */
    static Optional<String> threadId() {
        try {
            Path link = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            String tid = link.getFileName().toString();
            return tid.matches("[0-9]+") ? Optional.of(tid) : Optional.empty();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The niceness this process was started with: field 19 of /proc/self/stat (the thread group leader's). */
    static Optional<Integer> processNice() {
        return niceOf(Path.of("/proc/self/stat"));
    }

    /** The calling thread's niceness (Linux keeps it per thread). */
    static Optional<Integer> threadNice() {
        return niceOf(Path.of("/proc/thread-self/stat"));
    }

    private static Optional<Integer> niceOf(Path statFile) {
        try {
            String stat = Files.readString(statFile);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Integer.parseInt(f[16]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** An executable named {@code name} in a PATH directory (then /usr/bin and /bin, for a bare systemd PATH). */
    static Optional<Path> onPath(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/bin", "/bin"));
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }
}
