package org.zmsnap.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.zmsnap.exec.Command;
import org.zmsnap.exec.CommandResult;
import org.zmsnap.exec.LocalCommandRunner;
import org.zmsnap.exec.PassThrough;
import org.zmsnap.failback.FailbackGrant;
import org.zmsnap.replication.SendOnlyPolicy;
import org.zmsnap.replication.ServeDecision;
import org.zmsnap.replication.ServePolicy;
import org.zmsnap.replication.StreamHeader;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zmsnap serve --root DATASET}: the forced command of a zmsnap key. On a DR host (push) it runs what
 * {@code SSH_ORIGINAL_COMMAND} asks only if it is a zfs operation push replication needs, inside the root,
 * append-only unless {@code --allow-destroy}; with {@code --send-only}, on a mailbox host (pull), only what a pull
 * needs. Every refusal goes to the client and to syslog, and exits 1.
 */
@CommandLine.Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Restricted endpoint for authorized_keys. On a DR host (push replication into it):",
                "  command=\"/opt/zmsnap/bin/zmsnap serve --root backup/mbox1\",restrict ssh-ed25519 AAAA... zmsnap@mbox1",
                "  allows zfs receive (always -u, plain streams only)/list/get/create/set inside the root;",
                "  destroy and rollback only with --allow-destroy; sends back to the old host only while the DR admin",
                "  has granted a failback (zmsnap failback grant).",
                "On a mailbox host (the DR host pulls from it):",
                "  command=\"/opt/zmsnap/bin/zmsnap serve --send-only --root tank/zimbra\",restrict ssh-ed25519 AAAA... zmsnap@dr1",
                "  allows zfs send/list/get/hold/release (zmsnap: tags) inside the root, nothing that writes.",
                "Anything else is refused, logged to syslog (auth.warning, tag zmsnap-serve) and exits 1."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--root", required = true, paramLabel = "DATASET", description = "the only subtree this key may touch")
    String root;

    @Option(names = "--allow-destroy", description = {"let the client destroy and roll back snapshots inside the root"
            + " (DR retention and --force-rollback from the mailbox host). Risk: whoever controls the mailbox host can then"
            + " erase its whole DR history; without it, retention and rollbacks run on the DR host."})
    boolean allowDestroy;

    @Option(names = "--send-only", description = "serve a pulling DR host: sends, listings and zmsnap's holds only")
    boolean sendOnly;

    @Option(names = "--zfs", paramLabel = "PROGRAM", defaultValue = "zfs", description = "the zfs program (default: ${DEFAULT-VALUE})")
    String zfs;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        DatasetName r;
        try {
            r = DatasetName.of(root);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--root: " + e.getMessage());
        }
        if (sendOnly && allowDestroy) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--send-only and --allow-destroy exclude each other:"
                    + " a send-only key never destroys anything");
        }
        String original = System.getenv("SSH_ORIGINAL_COMMAND");
        ServeDecision d = sendOnly ? new SendOnlyPolicy(r).check(original)
                : new ServePolicy(r, allowDestroy, receiveOverrides(original), failbackGranted(r, original)).check(original);
        String who = "zmsnap serve" + (sendOnly ? " --send-only" : "") + " (root " + r + ")";
        String what = "'" + (original == null ? "" : original) + "'";
        if (d instanceof ServeDecision.Refused refused) {
            return refuse(who + ": refused " + what + ": " + refused.why());
        }
        List<String> argv = withZfs(d.command().orElseThrow());
        if (d instanceof ServeDecision.SendResume s) {
            Optional<String> bad = resumeTarget(s.token()).map(out -> new SendOnlyPolicy(r).resumeAllowed(out))
                    .orElse(Optional.of("'zfs send -nvt' could not decode the resume token"));
            if (bad.isPresent()) {
                return refuse(who + ": refused " + what + ": " + bad.get());
            }
        }
        if (d instanceof ServeDecision.Receive recv) {
            return receive(argv, who, what);
        }
        return PassThrough.run(argv);
    }

    /** Only a receive needs the DR host's ZFS features; every other request is decided without running zfs. */
    private boolean receiveOverrides(String original) {
        boolean receive = original != null && (original.contains("receive") || original.contains("recv"));
        return receive && new Zfs(new LocalCommandRunner(), zfs, Duration.ofSeconds(30)).features().receiveOverrides();
    }

    /**
     * Whether the DR admin granted a failback for this root ({@code zmsnap failback grant}): read only for a request
     * that needs it (a send or a hold), from the root's own property, which no request through this key can set.
     */
    private boolean failbackGranted(DatasetName r, String original) {
        if (!ServePolicy.readsBack(original)) {
            return false;
        }
        try {
            return FailbackGrant.inForce(new Zfs(new LocalCommandRunner(), zfs, Duration.ofSeconds(30)).getProperty(r, FailbackGrant.PROPERTY),
                    java.time.Instant.now());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Reads the stream's first record before zfs receive sees a byte: a stream carrying properties (send -p/-R)
     * could set mountpoint/canmount, and an -I package's nested headers could carry any property or rename
     * snapshots, so only a plain filesystem stream of one snapshot is received.
     */
    private int receive(List<String> argv, String who, String what) {
        InputStream in = new FileInputStream(FileDescriptor.in);
        byte[] head = new byte[StreamHeader.LENGTH];
        int n = 0;
        try {
            while (n < head.length) {
                int k = in.read(head, n, head.length - n);
                if (k < 0) {
                    break;
                }
                n += k;
            }
        } catch (IOException e) {
            return refuse(who + ": refused " + what + ": cannot read the stream: " + e.getMessage());
        }
        StreamHeader.Kind kind = StreamHeader.of(head, n);
        if (!StreamHeader.accepted(kind)) {
            return refuse(who + ": refused " + what + ": " + StreamHeader.refusal(kind));
        }
        return PassThrough.runFeeding(argv, head, n, in);
    }

    /** What {@code zfs send -nvt TOKEN} prints (the token's contents, OpenZFS), or empty if it failed. */
    private Optional<String> resumeTarget(String token) {
        CommandResult res = new LocalCommandRunner().run(Command.of(Duration.ofSeconds(30), zfs, "send", "-nvt", token));
        return res.ok() ? Optional.of(res.stdout()) : Optional.empty();
    }

    /** The policies allow only "zfs" or "timeout -s KILL Ns zfs" in front: put this host's zfs program there. */
    private List<String> withZfs(List<String> argv) {
        List<String> out = new ArrayList<>(argv);
        out.set(out.indexOf("zfs"), zfs);
        return out;
    }

    private int refuse(String msg) {
        spec.commandLine().getErr().println(msg);
        log(msg);
        return Main.FAILURE;
    }

    /** Refusals go to syslog too: the host's admin must see a compromised peer probing. */
    private static void log(String msg) {
        try {
            new LocalCommandRunner().run(Command.of(Duration.ofSeconds(5), "logger", "-t", "zmsnap-serve", "-p", "auth.warning", msg));
        } catch (RuntimeException ignored) {
            // no syslog: stderr has it
        }
    }
}
