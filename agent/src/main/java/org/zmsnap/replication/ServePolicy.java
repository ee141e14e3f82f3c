package org.zmsnap.replication;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.zmsnap.exec.ShellQuote;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotName;

/**
 * What {@code zmsnap serve --root R} lets a mailbox host do on the DR host: only the zfs operations
 * replication needs, only on datasets inside R. Pure: a command line in, an argument list or a refusal out.
 */
public final class ServePolicy {
    private final DatasetName root;

    public ServePolicy(DatasetName root) {
        this.root = root;
    }

    /**
     * The argv to run — {@code zfs …}, or {@code timeout -s KILL Ns zfs …} — or empty with {@code why} filled;
     * every refusal is logged by the caller.
     */
    public record Decision(Optional<List<String>> argv, String why) {
        static Decision allow(List<String> argv) {
            return new Decision(Optional.of(argv), "");
        }

        static Decision refuse(String why) {
            return new Decision(Optional.empty(), why);
        }
    }

    public Decision check(String originalCommand) {
        if (originalCommand == null || originalCommand.isBlank()) {
            return Decision.refuse("no command (an interactive login is not allowed)");
        }
        List<String> argv;
        try {
            argv = ShellQuote.split(originalCommand);
        } catch (IllegalArgumentException e) {
            return Decision.refuse("unparsable command: " + e.getMessage());
        }
        // zmsnap's SSH runner bounds every non-streaming remote command with coreutils' timeout, because a
        // closed SSH channel does not stop a command that neither reads nor writes (sshd refuses to signal a
        // root session). Exactly this prefix is allowed, and it stays in front of zfs.
        List<String> prefix = List.of();
        if (!argv.isEmpty() && argv.get(0).equals("timeout")) {
            if (argv.size() < 5 || !argv.get(1).equals("-s") || !argv.get(2).equals("KILL")
                    || !argv.get(3).matches("[1-9][0-9]{0,6}s")) {
                return Decision.refuse("only 'timeout -s KILL <seconds>s' may come before zfs");
            }
            prefix = argv.subList(0, 4);
            argv = argv.subList(4, argv.size());
        }
        if (argv.size() < 2 || !argv.get(0).equals("zfs")) {
            return Decision.refuse("only zfs commands are allowed");
        }
        Decision d = zfs(argv);
        return prefix.isEmpty() || d.argv().isEmpty() ? d
                : Decision.allow(java.util.stream.Stream.concat(prefix.stream(), d.argv().get().stream()).toList());
    }

    private Decision zfs(List<String> argv) {
        List<String> args = argv.subList(2, argv.size());
        return switch (argv.get(1)) {
            case "receive", "recv" -> onlyOptions(argv, args, Set.of("-u", "-s", "-A"), false, false);
            case "list" -> listOrGet(argv, args, 0);
            case "get" -> listOrGet(argv, args, 1);
            case "destroy" -> onlyOptions(argv, args, Set.of(), true, true);
            case "rollback" -> onlyOptions(argv, args, Set.of("-r"), true, true);
            case "create" -> create(argv, args);
            case "set" -> set(argv, args);
            case "version" -> args.isEmpty() ? Decision.allow(argv) : Decision.refuse("zfs version takes no arguments");
            default -> Decision.refuse("zfs " + argv.get(1) + " is not an operation replication needs");
        };
    }

    private Decision onlyOptions(List<String> argv, List<String> args, Set<String> options, boolean snapshotRequired, boolean single) {
        int names = 0;
        for (String a : args) {
            if (a.startsWith("-")) {
                if (!options.contains(a)) {
                    return Decision.refuse("option " + a + " is not allowed for zfs " + argv.get(1));
                }
            } else {
                names++;
                Optional<String> bad = inside(a, snapshotRequired);
                if (bad.isPresent()) {
                    return Decision.refuse(bad.get());
                }
            }
        }
        if (names != 1) {
            return Decision.refuse("zfs " + argv.get(1) + " takes exactly one dataset");
        }
        return Decision.allow(argv);
    }

    private Decision listOrGet(List<String> argv, List<String> args, int leadingWords) {
        Set<String> flags = Set.of("-H", "-p", "-Hp", "-r", "-o", "-t", "-d", "-s", "-S");
        Set<String> withValue = Set.of("-o", "-t", "-d", "-s", "-S");
        int names = 0;
        int words = 0;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("-")) {
                if (!flags.contains(a)) {
                    return Decision.refuse("option " + a + " is not allowed for zfs " + argv.get(1));
                }
                if (withValue.contains(a)) {
                    i++;
                }
            } else if (words < leadingWords) {
                words++; // the property list of zfs get
            } else {
                names++;
                Optional<String> bad = inside(a, false);
                if (bad.isPresent()) {
                    return Decision.refuse(bad.get());
                }
            }
        }
        return names >= 1 ? Decision.allow(argv) : Decision.refuse("zfs " + argv.get(1) + " must name a dataset inside " + root);
    }

    private Decision create(List<String> argv, List<String> args) {
        if (args.size() != 4 || !args.get(0).equals("-p") || !args.get(1).equals("-o") || !args.get(2).equals("canmount=off")) {
            return Decision.refuse("only 'zfs create -p -o canmount=off DATASET' is allowed");
        }
        return inside(args.get(3), false).map(Decision::refuse).orElse(Decision.allow(argv));
    }

    private Decision set(List<String> argv, List<String> args) {
        if (args.size() != 2 || !(args.get(0).equals("readonly=on") || args.get(0).startsWith("org.zmsnap:"))) {
            return Decision.refuse("only 'zfs set readonly=on DATASET' (or org.zmsnap: properties) is allowed");
        }
        return inside(args.get(1), false).map(Decision::refuse).orElse(Decision.allow(argv));
    }

    /** Empty when {@code name} (a dataset or snapshot) lies inside the root. */
    private Optional<String> inside(String name, boolean snapshotRequired) {
        DatasetName d;
        try {
            if (name.contains("@")) {
                d = SnapshotName.parse(name).dataset();
            } else {
                if (snapshotRequired) {
                    return Optional.of("zfs destroy and rollback take a snapshot (DATASET@SNAPSHOT), not " + name);
                }
                d = DatasetName.of(name);
            }
        } catch (IllegalArgumentException e) {
            return Optional.of("invalid name " + name + ": " + e.getMessage());
        }
        if (!d.equals(root) && !root.isAncestorOf(d)) {
            return Optional.of(name + " is outside this key's root " + root);
        }
        return Optional.empty();
    }
}
