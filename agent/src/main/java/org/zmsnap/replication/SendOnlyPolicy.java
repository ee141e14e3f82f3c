package org.zmsnap.replication;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotName;

/**
 * What {@code zmsnap serve --send-only --root R} lets a DR host do on a mailbox host (pull mode): read, and
 * nothing else. Allowed, inside R only: {@code zfs list}/{@code get}; {@code zfs send} of a snapshot, full or
 * incremental ({@code -i}/{@code -I}), with {@code -c}, {@code -L}, {@code -e} and the dry-run flags
 * {@code -n -v -P}, or resumed ({@code -t TOKEN}, when the token's snapshot is inside R); {@code zfs hold} and
 * {@code zfs release} of zmsnap's own tags ({@code zmsnap:<name>}) on snapshots; {@code zfs holds};
 * {@code zfs version}. Everything that writes, destroys, mounts or receives is refused, and so are
 * {@code send -R} and {@code send -p}: a pull needs neither, {@code -R} sends whole subtrees and every snapshot
 * in them, and properties ({@code -p}) are exactly what must never reach a receiving host. Pure.
 */
public final class SendOnlyPolicy {
    private static final Pattern HOLD_TAG = Pattern.compile("zmsnap:[a-z][a-z0-9-]{0,62}");
    private static final Pattern TOKEN = Pattern.compile("[0-9a-fA-F]{1,16}-[0-9a-fA-F]{1,16}-[0-9a-fA-F]{1,16}-[0-9a-fA-F]{2,1048576}");
    private static final Pattern TONAME = Pattern.compile("(?m)^\\s*toname = (.*)$");

    private final DatasetName root;

    public SendOnlyPolicy(DatasetName root) {
        this.root = root;
    }

    public ServeDecision check(String originalCommand) {
        ServeRules.Parsed p = ServeRules.parse(originalCommand);
        if (p instanceof ServeRules.NotAllowed n) {
            return new ServeDecision.Refused(n.why());
        }
        ServeRules.Request req = (ServeRules.Request) p;
        return switch (req.operation()) {
            case "list" -> ServeRules.listOrGet(root, req, 0);
            case "get" -> ServeRules.listOrGet(root, req, 1);
            case "send" -> send(req);
            case "hold", "release" -> hold(req);
            case "holds" -> holds(req);
            case "version" -> req.args().isEmpty() ? new ServeDecision.Run(req.withPrefix(req.zfs()))
                    : new ServeDecision.Refused("zfs version takes no arguments");
            default -> new ServeDecision.Refused("zfs " + req.operation()
                    + " is refused: this host's key serves sends only (serve --send-only)");
        };
    }

    private ServeDecision send(ServeRules.Request req) {
        List<String> args = req.args();
        Optional<String> snapshot = Optional.empty();
        Optional<String> token = Optional.empty();
        boolean incremental = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-c", "-L", "-e", "-n", "-v", "-P" -> { }
                case "-i", "-I" -> {
                    if (incremental || i + 1 >= args.size()) {
                        return new ServeDecision.Refused("zfs send takes one -i/-I SNAPSHOT");
                    }
                    incremental = true;
                    Optional<String> bad = from(args.get(++i));
                    if (bad.isPresent()) {
                        return new ServeDecision.Refused(bad.get());
                    }
                }
                case "-t" -> {
                    if (token.isPresent() || i + 1 >= args.size() || !TOKEN.matcher(args.get(i + 1)).matches()) {
                        return new ServeDecision.Refused("zfs send -t takes one resume token");
                    }
                    token = Optional.of(args.get(++i));
                }
                default -> {
                    if (a.startsWith("-")) {
                        return new ServeDecision.Refused("option " + a + " is not allowed for zfs send (serve --send-only)");
                    }
                    if (snapshot.isPresent()) {
                        return new ServeDecision.Refused("zfs send takes exactly one snapshot");
                    }
                    if (!a.contains("@")) {
                        return new ServeDecision.Refused("zfs send takes a snapshot (DATASET@SNAPSHOT), not " + a);
                    }
                    Optional<String> bad = ServeRules.inside(root, a, true);
                    if (bad.isPresent()) {
                        return new ServeDecision.Refused(bad.get());
                    }
                    snapshot = Optional.of(a);
                }
            }
        }
        if (token.isPresent()) {
            if (snapshot.isPresent() || incremental) {
                return new ServeDecision.Refused("zfs send -t TOKEN takes no snapshot and no -i/-I: the token names them");
            }
            return new ServeDecision.SendResume(req.withPrefix(req.zfs()), token.get());
        }
        return snapshot.isPresent() ? new ServeDecision.Run(req.withPrefix(req.zfs()))
                : new ServeDecision.Refused("zfs send takes exactly one snapshot inside " + root);
    }

    /** The origin of an incremental: {@code @snap} (same dataset), or a snapshot or bookmark inside the root. */
    private Optional<String> from(String name) {
        if (name.startsWith("@")) {
            try {
                root.at(name.substring(1));
                return Optional.empty();
            } catch (IllegalArgumentException e) {
                return Optional.of("invalid snapshot name " + name + ": " + e.getMessage());
            }
        }
        int hash = name.indexOf('#');
        if (hash > 0) {
            try {
                DatasetName d = DatasetName.of(name.substring(0, hash));
                d.at(name.substring(hash + 1)); // a bookmark's name follows the snapshot rules
                return ServeRules.within(root, d) ? Optional.empty() : Optional.of(name + " is outside this key's root " + root);
            } catch (IllegalArgumentException e) {
                return Optional.of("invalid bookmark name " + name + ": " + e.getMessage());
            }
        }
        return ServeRules.inside(root, name, true);
    }

    private ServeDecision hold(ServeRules.Request req) {
        List<String> args = req.args();
        if (args.size() < 2 || !HOLD_TAG.matcher(args.get(0)).matches()) {
            return new ServeDecision.Refused("only 'zfs " + req.operation() + " zmsnap:<name> SNAPSHOT...' is allowed");
        }
        for (String s : args.subList(1, args.size())) {
            if (s.startsWith("-")) {
                return new ServeDecision.Refused("option " + s + " is not allowed for zfs " + req.operation());
            }
            Optional<String> bad = ServeRules.inside(root, s, true);
            if (bad.isPresent()) {
                return new ServeDecision.Refused(bad.get());
            }
        }
        return new ServeDecision.Run(req.withPrefix(req.zfs()));
    }

    private ServeDecision holds(ServeRules.Request req) {
        int names = 0;
        for (String s : req.args()) {
            if (s.equals("-H") || s.equals("-p") || s.equals("-Hp")) {
                continue;
            }
            if (s.startsWith("-")) {
                return new ServeDecision.Refused("option " + s + " is not allowed for zfs holds");
            }
            Optional<String> bad = ServeRules.inside(root, s, true);
            if (bad.isPresent()) {
                return new ServeDecision.Refused(bad.get());
            }
            names++;
        }
        return names > 0 ? new ServeDecision.Run(req.withPrefix(req.zfs()))
                : new ServeDecision.Refused("zfs holds takes snapshots inside " + root);
    }

    /**
     * Whether a resumed send may run, given what {@code zfs send -nvt TOKEN} printed on this host: OpenZFS prints the
     * token's contents, and its {@code toname} line names the snapshot the stream continues. Allowed only when that
     * snapshot lies inside the root; a token that cannot be decoded (or a ZFS without {@code send -t}) is refused.
     *
     * @return empty when allowed, else why not
     */
    public Optional<String> resumeAllowed(String dryRunOutput) {
        // Exactly one toname line: a crafted token could hide a second one in another string value, and the
        // check must see the name zfs will use, not a decoy.
        List<String> names = TONAME.matcher(dryRunOutput).results().map(r -> r.group(1)).toList();
        if (names.size() != 1) {
            return Optional.of("cannot tell which snapshot the resume token names ('zfs send -nvt' printed "
                    + names.size() + " toname lines)");
        }
        String toname = names.get(0);
        try {
            SnapshotName.parse(toname);
        } catch (IllegalArgumentException e) {
            return Optional.of("the resume token names " + toname + ", not a snapshot: " + e.getMessage());
        }
        return ServeRules.inside(root, toname, true).map(why -> "the resume token's snapshot " + why);
    }
}
