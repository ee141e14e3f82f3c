package org.zmsnap.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.zmsnap.exec.Command;
import org.zmsnap.exec.LocalCommandRunner;
import org.zmsnap.exec.PassThrough;
import org.zmsnap.exec.SessionFrame;
import org.zmsnap.exec.SessionServer;
import org.zmsnap.exec.SessionServer.Admission;
import org.zmsnap.replication.ServeAdmission;
import org.zmsnap.zfs.DatasetName;
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

    /** Commands one session may run at once: a run's parallel streams and their listings, with room to spare. */
    private static final int MAX_SESSION_COMMANDS = 16;

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
        ServeAdmission admission = new ServeAdmission(r, allowDestroy, sendOnly, zfs);
        if (SessionFrame.REQUEST.equals(original)) {
            return session(admission);
        }
        Admission a = admission.admit(original);
        if (a instanceof Admission.Refused no) {
            return refuse(no.message());
        }
        if (a instanceof Admission.RunAfterHead ra) {
            return receive(ra);
        }
        return PassThrough.run(((Admission.Run) a).argv());
    }

    /**
     * Every command of one replication run through this one process (SessionServer), each decided as above: a run
     * makes a handful of calls, and a JVM start per call was most of its time. stdout carries only the session's
     * frames; anything else that would print there goes to stderr.
     */
    private int session(ServeAdmission admission) {
        OutputStream frames = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err);
        return new SessionServer(admission, ServeCommand::log, MAX_SESSION_COMMANDS)
                .serve(new FileInputStream(FileDescriptor.in), frames);
    }

    /** Reads the stream's first record before zfs receive sees a byte (ServeAdmission says why). */
    private int receive(Admission.RunAfterHead ra) {
        InputStream in = new FileInputStream(FileDescriptor.in);
        byte[] head = new byte[ra.headLength()];
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
            // what was read is judged: a stream cut before its first record is refused as too short
        }
        Optional<String> no = ra.check().refusal(head, n);
        if (no.isPresent()) {
            return refuse(no.get());
        }
        return PassThrough.runFeeding(ra.argv(), head, n, in);
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
