package org.zmsnap.replication;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.zmsnap.exec.ShellQuote;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotName;

/**
 * The rules both restricted endpoints share ({@link ServePolicy} on a DR host, {@link SendOnlyPolicy} on a mailbox
 * host): how a request line is split, the one prefix allowed in front of zfs, what "inside the root" means, and
 * which listings are allowed. Pure.
 */
final class ServeRules {
    private ServeRules() {}

    /** A request line, split: a zfs request, or why it is not one. */
    sealed interface Parsed permits Request, NotAllowed {}

    /** Refused before any zfs rule is looked at. */
    record NotAllowed(String why) implements Parsed {}

    /** A request split into the allowed prefix (empty or {@code timeout -s KILL Ns}) and the zfs argv. */
    record Request(List<String> prefix, List<String> zfs) implements Parsed {
        String operation() {
            return zfs.get(1);
        }

        List<String> args() {
            return zfs.subList(2, zfs.size());
        }

        /** The prefix in front of another zfs argv (the policy may rewrite the request). */
        List<String> withPrefix(List<String> argv) {
            return Stream.concat(prefix.stream(), argv.stream()).toList();
        }
    }

    static Parsed parse(String originalCommand) {
        if (originalCommand == null || originalCommand.isBlank()) {
            return new NotAllowed("no command (an interactive login is not allowed)");
        }
        List<String> argv;
        try {
            argv = ShellQuote.split(originalCommand);
        } catch (IllegalArgumentException e) {
            return new NotAllowed("unparsable command: " + e.getMessage());
        }
        // zmsnap's SSH runner bounds every non-streaming remote command with coreutils' timeout, because a
        // closed SSH channel does not stop a command that neither reads nor writes (sshd refuses to signal a
        // root session). Exactly this prefix is allowed, and it stays in front of zfs.
        List<String> prefix = List.of();
        if (!argv.isEmpty() && argv.get(0).equals("timeout")) {
            if (argv.size() < 5 || !argv.get(1).equals("-s") || !argv.get(2).equals("KILL")
                    || !argv.get(3).matches("[1-9][0-9]{0,6}s")) {
                return new NotAllowed("only 'timeout -s KILL <seconds>s' may come before zfs");
            }
            prefix = argv.subList(0, 4);
            argv = argv.subList(4, argv.size());
        }
        if (argv.size() < 2 || !argv.get(0).equals("zfs")) {
            return new NotAllowed("only zfs commands are allowed");
        }
        return new Request(List.copyOf(prefix), List.copyOf(argv));
    }

    /** {@code zfs list} / {@code zfs get} (after {@code leadingWords} words, e.g. get's property list) inside the root. */
    static ServeDecision listOrGet(DatasetName root, Request req, int leadingWords) {
        Set<String> flags = Set.of("-H", "-p", "-Hp", "-r", "-o", "-t", "-d", "-s", "-S");
        Set<String> withValue = Set.of("-o", "-t", "-d", "-s", "-S");
        List<String> args = req.args();
        int names = 0;
        int words = 0;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("-")) {
                if (!flags.contains(a)) {
                    return new ServeDecision.Refused("option " + a + " is not allowed for zfs " + req.operation());
                }
                if (withValue.contains(a)) {
                    i++;
                }
            } else if (words < leadingWords) {
                words++; // the property list of zfs get
            } else {
                names++;
                Optional<String> bad = inside(root, a, false);
                if (bad.isPresent()) {
                    return new ServeDecision.Refused(bad.get());
                }
            }
        }
        return names >= 1 ? new ServeDecision.Run(req.withPrefix(req.zfs()))
                : new ServeDecision.Refused("zfs " + req.operation() + " must name a dataset inside " + root);
    }

    /** Empty when {@code name} (a dataset or snapshot) lies inside the root, else why not. */
    static Optional<String> inside(DatasetName root, String name, boolean snapshotRequired) {
        DatasetName d;
        try {
            if (name.contains("@")) {
                d = SnapshotName.parse(name).dataset();
            } else {
                if (snapshotRequired) {
                    return Optional.of("this operation takes a snapshot (DATASET@SNAPSHOT), not " + name);
                }
                d = DatasetName.of(name);
            }
        } catch (IllegalArgumentException e) {
            return Optional.of("invalid name " + name + ": " + e.getMessage());
        }
        return within(root, d) ? Optional.empty() : Optional.of(name + " is outside this key's root " + root);
    }

    static boolean within(DatasetName root, DatasetName d) {
        return d.equals(root) || root.isAncestorOf(d);
    }
}
