package org.zmsnap.verify;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.zmsnap.promote.RunningReceives;
import org.zmsnap.restore.session.RestoreLeftovers;
import org.zmsnap.restore.session.RestoreSession;
import org.zmsnap.restore.session.RestoreSource;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;

/**
 * Before a verify opens a set: is it free? Checked after the set is chosen and before anything is made, so a
 * refusal changes nothing.
 *
 * <ul>
 *   <li>A DR copy into which a {@code zfs receive} is running ({@link RunningReceives}, the rule promote uses), or
 *       that holds a {@code receive_resume_token} (OpenZFS: a receive cut mid-stream, its partial state hidden in the
 *       copy), is still being received: refused at once, the reason and what to do named.</li>
 *   <li>Another zmsnap (a verify, a restore, a drill) that has the same set of the same source open, by its
 *       session in {@code restore.workdir} ({@link RestoreLeftovers#active()}, the rule {@code --cleanup} uses): waited
 *       for, up to {@code wait}, then refused naming the holder. Two openings would not harm each other (each has
 *       its own clones), but a second full read of the same store and a second sandbox only slow the first and the
 *       live server; the second verify would prove nothing new. A session kept by {@code zmsnap mount} is not
 *       waited for: it is reused.</li>
 * </ul>
 */
public final class SetGuard {
    static final Duration POLL = Duration.ofSeconds(1);

    private final Zfs zfs;
    private final RestoreSource source;
    private final Path workdir;
    private final RunningReceives receives;
    private final Duration wait;
    private final Consumer<String> notice;

    /**
     * @param wait   how long to wait for another zmsnap holding the set open
     * @param notice told once when the verify starts waiting (the CLI prints it; zmsnapd logs it)
     */
    public SetGuard(Zfs zfs, RestoreSource source, Path workdir, RunningReceives receives, Duration wait, Consumer<String> notice) {
        this.zfs = zfs;
        this.source = source;
        this.workdir = workdir;
        this.receives = receives;
        this.wait = wait;
        this.notice = notice;
    }

    /** @throws SetBusyException when the set is not free (nothing was changed) */
    public void check(SnapshotSet set) {
        receiving(set);
        waitForHolders(set);
    }

    private void receiving(SnapshotSet set) {
        if (!source.copies() || source.remote()) {
            return; // this host's own datasets are never received into
        }
        List<String> running = new ArrayList<>();
        for (DatasetName copy : source.datasets()) {
            running.addAll(receives.into(copy));
        }
        if (!running.isEmpty()) {
            throw new SetBusyException(source.describe() + ": a receive into its copies is running ("
                    + String.join("; ", running.stream().distinct().toList()) + "): the mailbox host (or a pull) is still"
                    + " sending. " + set.tag().name() + " is not verified while its copies are being written; nothing was"
                    + " changed. Run verify again when the receive has finished.");
        }
        if (!zfs.features().resumableReceive()) {
            return; // zfs-fuse does not know receive_resume_token at all
        }
        List<DatasetName> cut = new ArrayList<>();
        for (DatasetName copy : source.datasets()) {
            if (zfs.getProperty(copy, "receive_resume_token").isPresent()) {
                cut.add(copy);
            }
        }
        if (!cut.isEmpty()) {
            throw new SetBusyException(source.describe() + ": a receive into " + cut + " was cut mid-stream"
                    + " (receive_resume_token is set): the copies are still being received. Nothing was changed. Let the"
                    + " next pull or push resume it, or, if the mailbox host will not send again, discard the partial state"
                    + " with 'zfs receive -A " + cut.get(0) + "' (every received set stays); then run verify again.");
        }
    }

    private void waitForHolders(SnapshotSet set) {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean told = false;
        while (true) {
            List<RestoreSession> holders = holders(set);
            if (holders.isEmpty()) {
                return;
            }
            String who = String.join("; ", holders.stream().map(SetGuard::describe).toList());
            if (System.nanoTime() >= deadline) {
                throw new SetBusyException(set.tag().name() + " of " + source.describe() + " is open by another zmsnap: " + who
                        + (wait.isZero() ? "" : "; waited " + wait.toSeconds() + " s") + ". Nothing was changed. Run verify"
                        + " again when it has finished (if that process is stuck, stop it; 'zmsnap restore --cleanup' then"
                        + " removes what it left).");
            }
            if (!told) {
                notice.accept("waiting up to " + wait.toSeconds() + " s: " + set.tag().name() + " is open by " + who);
                told = true;
            }
            try {
                Thread.sleep(Math.min(POLL.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SetBusyException("interrupted while waiting for " + who + "; nothing was changed");
            }
        }
    }

    /** Sessions of other running zmsnap processes on this set of this source ({@code mount}'s are reused, not held). */
    private List<RestoreSession> holders(SnapshotSet set) {
        List<RestoreSession> out = new ArrayList<>();
        for (Path dir : new RestoreLeftovers(zfs, workdir, List.of()).active()) {
            RestoreSession s = RestoreSession.load(dir);
            if (s.owner() != 0 && s.tag().equals(set.tag().name()) && s.source().equals(source.key())) {
                out.add(s);
            }
        }
        return out;
    }

    /** "pid 4711 (zmsnap verify --snapshot latest ...), session 1a2b3c4d" */
    static String describe(RestoreSession s) {
        return "pid " + s.owner() + " (" + arguments(s.owner()).map(SetGuard::command).orElse("?") + "), session " + s.id();
    }

    /** From /proc: ProcessHandle's arguments() is empty for a long command line (a JVM's class path). */
    private static java.util.Optional<List<String>> arguments(long pid) {
        try {
            String cmdline = new String(java.nio.file.Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8);
            List<String> args = java.util.Arrays.stream(cmdline.split("\0")).filter(a -> !a.isEmpty()).toList();
            return args.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(args);
        } catch (java.io.IOException | SecurityException e) {
            return java.util.Optional.empty(); // gone meanwhile, or not ours to read
        }
    }

    /** The zmsnap words of a command line: from the subcommand on, or zmsnapd; short enough for one line. */
    static String command(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            if (List.of("verify", "restore", "browse", "mount", "search", "export").contains(args.get(i))) {
                String s = "zmsnap " + String.join(" ", args.subList(i, Math.min(args.size(), i + 8)));
                return s.length() > 160 ? s.substring(0, 160) + " …" : s;
            }
            if (args.get(i).endsWith("Zmsnapd") || args.get(i).endsWith("zmsnapd")) {
                return "zmsnapd, a restore drill";
            }
        }
        String s = String.join(" ", args);
        return s.length() > 160 ? "… " + s.substring(s.length() - 160) : s;
    }
}
