package org.zmsnap.failback;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Which processes use files below some paths: their working directory, root or an open file lies there (read from
 * {@code /proc}, as {@code fuser -m} does). A running mariadbd or Zimbra on a dataset about to be reset or unmounted
 * is a refusal, never a surprise.
 */
public final class PathUsers {
    private final Path proc;

    public PathUsers() {
        this(Path.of("/proc"));
    }

    PathUsers(Path proc) {
        this.proc = proc;
    }

    /** "pid (command)" for each process using anything below one of {@code paths}; this process excluded. */
    public List<String> of(Collection<Path> paths) {
        List<Path> roots = paths.stream().map(Path::normalize).toList();
        TreeSet<String> users = new TreeSet<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("[0-9]+"))) {
            for (Path pid : pids) {
                if (Long.parseLong(pid.getFileName().toString()) == self) {
                    continue;
                }
                if (uses(pid, roots)) {
                    users.add(pid.getFileName() + " (" + comm(pid) + ")");
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + proc + ": " + e.getMessage(), e);
        }
        return new ArrayList<>(users);
    }

    private static boolean uses(Path pid, List<Path> roots) {
        List<Path> links = new ArrayList<>(List.of(pid.resolve("cwd"), pid.resolve("root")));
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(pid.resolve("fd"))) {
            fds.forEach(links::add);
        } catch (IOException | SecurityException e) {
            // gone, or a kernel thread: nothing open
        }
        for (Path l : links) {
            try {
                Path target = Files.readSymbolicLink(l);
                if (roots.stream().anyMatch(target::startsWith)) {
                    return true;
                }
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                // the process ended or the descriptor closed meanwhile
            }
        }
        return false;
    }

    private static String comm(Path pid) {
        try {
            return Files.readString(pid.resolve("comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
