package org.zmsnap.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.zmsnap.zfs.DatasetName;

/**
 * What {@code zmsnap serve --root R} lets a mailbox host do on the DR host: only the zfs operations push
 * replication needs, only on datasets inside R. Pure: a command line in, a {@link ServeDecision} out.
 *
 * <p>Nothing the mailbox host sends may decide where or whether a DR dataset mounts: every receive is
 * {@code -u}, and on a ZFS whose receive takes {@code -o}/{@code -x} (OpenZFS) the mount-related properties are
 * pinned by {@link #RECEIVE_OVERRIDES}. Whatever the ZFS, the stream itself must be a plain stream without
 * properties ({@link ServeDecision.Receive}, checked by the caller with {@link StreamHeader}).
 *
 * <p>Append-only unless the DR admin opts out ({@code --allow-destroy}): {@code zfs destroy} and
 * {@code zfs rollback} are refused, so whoever owns the mailbox host cannot erase its DR history.
 */
public final class ServePolicy {
    /**
     * Added to every streaming receive where the ZFS supports them. {@code -x}: a received value never takes effect
     * (the dataset inherits from its parent under the root); {@code -o}: set locally, which beats a received value,
     * on the received dataset (and, for {@code -o} of inheritable properties, its descendants).
     */
    public static final List<String> RECEIVE_OVERRIDES = List.of(
            "-x", "mountpoint", "-x", "sharenfs", "-x", "sharesmb",
            "-o", "canmount=noauto", "-o", "readonly=on", "-o", "setuid=off", "-o", "exec=off", "-o", "devices=off");

    private final DatasetName root;
    private final boolean allowDestroy;
    private final boolean receiveOverrides;
    private final boolean failbackGranted;

    /**
     * @param allowDestroy     {@code --allow-destroy}: the DR admin accepts that the mailbox host may destroy and
     *                         roll back DR snapshots (DR retention and {@code --force-rollback} from the mailbox host)
     * @param receiveOverrides the DR host's {@code zfs receive} takes {@code -o}/{@code -x} (OpenZFS)
     */
    public ServePolicy(DatasetName root, boolean allowDestroy, boolean receiveOverrides) {
        this(root, allowDestroy, receiveOverrides, false);
    }

    /**
     * @param failbackGranted the DR admin granted a failback for this root ({@code zmsnap failback grant}, not yet
     *                        expired or revoked): while it lasts, the old mailbox host may also read its copies back
     *                        — exactly what {@link SendOnlyPolicy} allows, nothing that writes more
     */
    public ServePolicy(DatasetName root, boolean allowDestroy, boolean receiveOverrides, boolean failbackGranted) {
        this.root = root;
        this.allowDestroy = allowDestroy;
        this.receiveOverrides = receiveOverrides;
        this.failbackGranted = failbackGranted;
    }

    /** The operations only a failback grant opens: whether {@code serve} must read the grant for this request. */
    public static boolean readsBack(String originalCommand) {
        return ServeRules.parse(originalCommand) instanceof ServeRules.Request r && READ_BACK.contains(r.operation());
    }

    private static final Set<String> READ_BACK = Set.of("send", "hold", "release", "holds");

    public ServeDecision check(String originalCommand) {
        ServeRules.Parsed p = ServeRules.parse(originalCommand);
        if (p instanceof ServeRules.NotAllowed n) {
            return new ServeDecision.Refused(n.why());
        }
        ServeRules.Request req = (ServeRules.Request) p;
        return switch (req.operation()) {
            case "receive", "recv" -> receive(req);
            case "list" -> ServeRules.listOrGet(root, req, 0);
            case "get" -> ServeRules.listOrGet(root, req, 1);
            case "destroy" -> allowDestroy ? snapshotOnly(req, Set.of()) : appendOnly(req);
            case "rollback" -> allowDestroy ? snapshotOnly(req, Set.of("-r")) : appendOnly(req);
            case "create" -> create(req);
            case "set" -> set(req);
            case "version" -> req.args().isEmpty() ? new ServeDecision.Run(req.withPrefix(req.zfs()))
                    : new ServeDecision.Refused("zfs version takes no arguments");
            case "send", "hold", "release", "holds" -> failbackGranted ? new SendOnlyPolicy(root).check(originalCommand)
                    : new ServeDecision.Refused("zfs " + req.operation() + " is refused: this key only appends to its copies."
                            + " During a failback the DR admin grants reading them back, on the DR host: zmsnap failback grant --source NAME");
            default -> new ServeDecision.Refused("zfs " + req.operation() + " is not an operation replication needs");
        };
    }

    private ServeDecision appendOnly(ServeRules.Request req) {
        return new ServeDecision.Refused("zfs " + req.operation() + " is refused: this DR host keeps its history append-only"
                + " (its admin runs DR retention and rollbacks on the DR host, or starts 'zmsnap serve' with --allow-destroy)");
    }

    /**
     * {@code zfs receive [-u] [-s] DATASET} becomes {@code zfs receive -u [-s] [overrides] DATASET}, whatever the
     * client asked; {@code zfs receive -A DATASET} (discard the partial state of an interrupted receive) stays as is.
     */
    private ServeDecision receive(ServeRules.Request req) {
        Optional<String> dataset = Optional.empty();
        boolean resumable = false;
        boolean abort = false;
        for (String a : req.args()) {
            switch (a) {
                case "-u" -> { }
                case "-s" -> resumable = true;
                case "-A" -> abort = true;
                default -> {
                    if (a.startsWith("-")) {
                        return new ServeDecision.Refused("option " + a + " is not allowed for zfs " + req.operation());
                    }
                    if (dataset.isPresent()) {
                        return new ServeDecision.Refused("zfs receive takes exactly one dataset");
                    }
                    Optional<String> bad = ServeRules.inside(root, a, false);
                    if (bad.isPresent()) {
                        return new ServeDecision.Refused(bad.get());
                    }
                    if (a.contains("@")) {
                        return new ServeDecision.Refused("zfs receive takes a dataset, not a snapshot name: " + a);
                    }
                    dataset = Optional.of(a);
                }
            }
        }
        if (dataset.isEmpty()) {
            return new ServeDecision.Refused("zfs receive takes exactly one dataset");
        }
        List<String> argv = new ArrayList<>(List.of("zfs", "receive"));
        if (abort) {
            argv.add("-A");
            argv.add(dataset.get());
            return new ServeDecision.Run(req.withPrefix(argv));
        }
        argv.add("-u");
        if (resumable) {
            argv.add("-s");
        }
        if (receiveOverrides) {
            argv.addAll(RECEIVE_OVERRIDES);
        }
        argv.add(dataset.get());
        return new ServeDecision.Receive(req.withPrefix(argv), receiveOverrides);
    }

    private ServeDecision snapshotOnly(ServeRules.Request req, Set<String> options) {
        int names = 0;
        for (String a : req.args()) {
            if (a.startsWith("-")) {
                if (!options.contains(a)) {
                    return new ServeDecision.Refused("option " + a + " is not allowed for zfs " + req.operation());
                }
            } else {
                names++;
                Optional<String> bad = ServeRules.inside(root, a, true);
                if (bad.isPresent()) {
                    return new ServeDecision.Refused(bad.get());
                }
            }
        }
        return names == 1 ? new ServeDecision.Run(req.withPrefix(req.zfs()))
                : new ServeDecision.Refused("zfs " + req.operation() + " takes exactly one snapshot");
    }

    private ServeDecision create(ServeRules.Request req) {
        List<String> args = req.args();
        if (args.size() != 4 || !args.get(0).equals("-p") || !args.get(1).equals("-o") || !args.get(2).equals("canmount=off")) {
            return new ServeDecision.Refused("only 'zfs create -p -o canmount=off DATASET' is allowed");
        }
        return ServeRules.inside(root, args.get(3), false).<ServeDecision>map(ServeDecision.Refused::new)
                .orElse(new ServeDecision.Run(req.withPrefix(req.zfs())));
    }

    private ServeDecision set(ServeRules.Request req) {
        List<String> args = req.args();
        // Only what a push sets: read-only after a seed, and the mailbox host's mountpoint (a hint that promote
        // trusts only below /opt/zimbra). Never zmsnap's other marks (promoted, verified, consistent).
        if (args.size() != 2 || !(args.get(0).equals("readonly=on") || args.get(0).startsWith(Replicator.SOURCE_MOUNTPOINT + "="))) {
            return new ServeDecision.Refused("only 'zfs set readonly=on DATASET' and 'zfs set " + Replicator.SOURCE_MOUNTPOINT
                    + "=PATH DATASET' are allowed");
        }
        return ServeRules.inside(root, args.get(1), false).<ServeDecision>map(ServeDecision.Refused::new)
                .orElse(new ServeDecision.Run(req.withPrefix(req.zfs())));
    }
}
