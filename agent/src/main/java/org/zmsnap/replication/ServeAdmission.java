package org.zmsnap.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.zmsnap.exec.Command;
import org.zmsnap.exec.CommandResult;
import org.zmsnap.exec.LocalCommandRunner;
import org.zmsnap.exec.SessionServer.Admission;
import org.zmsnap.exec.SessionServer.Admitter;
import org.zmsnap.failback.FailbackGrant;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;

/**
 * What {@code zmsnap serve} does with one request, whether it came as a whole SSH call or inside a session: the policy
 * ({@link ServePolicy}, or {@link SendOnlyPolicy} with {@code --send-only}), then the checks a decision asks for — the
 * resume token's snapshot, the stream's first record — and this host's zfs program put in front. One rule for both
 * ways in, so a session can never be a way around the policy.
 */
public final class ServeAdmission implements Admitter {
    private static final Duration ZFS_TIMEOUT = Duration.ofSeconds(30);

    private final DatasetName root;
    private final boolean allowDestroy;
    private final boolean sendOnly;
    private final String zfs;

    public ServeAdmission(DatasetName root, boolean allowDestroy, boolean sendOnly, String zfs) {
        this.root = root;
        this.allowDestroy = allowDestroy;
        this.sendOnly = sendOnly;
        this.zfs = zfs;
    }

    /** How refusals name this endpoint. */
    public String who() {
        return "zmsnap serve" + (sendOnly ? " --send-only" : "") + " (root " + root + ")";
    }

    @Override
    public Admission admit(String original) {
        ServeDecision d = sendOnly ? new SendOnlyPolicy(root).check(original)
                : new ServePolicy(root, allowDestroy, receiveOverrides(original), failbackGranted(original)).check(original);
        String what = "'" + (original == null ? "" : original) + "'";
        if (d instanceof ServeDecision.Refused refused) {
            return new Admission.Refused(who() + ": refused " + what + ": " + refused.why());
        }
        List<String> argv = withZfs(d.command().orElseThrow());
        if (d instanceof ServeDecision.SendResume s) {
            Optional<String> bad = resumeTarget(s.token()).map(out -> new SendOnlyPolicy(root).resumeAllowed(out))
                    .orElse(Optional.of("'zfs send -nvt' could not decode the resume token"));
            if (bad.isPresent()) {
                return new Admission.Refused(who() + ": refused " + what + ": " + bad.get());
            }
        }
        if (d instanceof ServeDecision.Receive) {
            // A stream carrying properties (send -p/-R) could set mountpoint/canmount, and an -I package's nested headers
            // could carry any property or rename snapshots: zfs receive sees no byte before the first record is read.
            return new Admission.RunAfterHead(argv, StreamHeader.LENGTH, (head, n) -> {
                StreamHeader.Kind kind = StreamHeader.of(head, n);
                return StreamHeader.accepted(kind) ? Optional.empty()
                        : Optional.of(who() + ": refused " + what + ": " + StreamHeader.refusal(kind));
            });
        }
        return new Admission.Run(argv);
    }

    /**
     * Only a receive needs this host's ZFS features; every other request is decided without running zfs. Asked for
     * every receive, in a session too: a probe that failed once (read as a ZFS without overrides) costs one receive its
     * pinned properties, not a whole run's.
     */
    private boolean receiveOverrides(String original) {
        boolean receive = original != null && (original.contains("receive") || original.contains("recv"));
        return receive && localZfs().features().receiveOverrides();
    }

    /**
     * Whether the DR admin granted a failback for this root ({@code zmsnap failback grant}): read only for a request
     * that needs it (a send or a hold), from the root's own property, which no request through this key can set. Read
     * for every such request, so a grant revoked during a session ends at once.
     */
    private boolean failbackGranted(String original) {
        if (!ServePolicy.readsBack(original)) {
            return false;
        }
        try {
            return FailbackGrant.inForce(localZfs().getProperty(root, FailbackGrant.PROPERTY), Instant.now());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** What {@code zfs send -nvt TOKEN} prints (the token's contents, OpenZFS), or empty if it failed. */
    private Optional<String> resumeTarget(String token) {
        CommandResult res = new LocalCommandRunner().run(Command.of(ZFS_TIMEOUT, zfs, "send", "-nvt", token));
        return res.ok() ? Optional.of(res.stdout()) : Optional.empty();
    }

    /** The policies allow only "zfs" or "timeout -s KILL Ns zfs" in front: put this host's zfs program there. */
    private List<String> withZfs(List<String> argv) {
        List<String> out = new ArrayList<>(argv);
        out.set(out.indexOf("zfs"), zfs);
        return out;
    }

    private Zfs localZfs() {
        return new Zfs(new LocalCommandRunner(), zfs, ZFS_TIMEOUT);
    }
}
