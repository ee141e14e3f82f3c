package org.zmsnap.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.zmsnap.exec.Command;
import org.zmsnap.exec.LocalCommandRunner;
import org.zmsnap.exec.PassThrough;
import org.zmsnap.replication.ServePolicy;
import org.zmsnap.zfs.DatasetName;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zmsnap serve --root DATASET}: the forced command of zmsnap's key on a DR host. It runs what
 * {@code SSH_ORIGINAL_COMMAND} asks only if it is a zfs operation replication needs, inside the root.
 */
@CommandLine.Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Restricted receiver for a DR host's authorized_keys:",
                "  command=\"/opt/zmsnap/bin/zmsnap serve --root backup/mbox1\",restrict ssh-ed25519 AAAA... zmsnap@mbox1",
                "Allows only zfs receive/list/get/destroy/rollback/create/set inside the root; refuses and logs anything else."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--root", required = true, paramLabel = "DATASET", description = "the only subtree this key may touch")
    String root;

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
        String original = System.getenv("SSH_ORIGINAL_COMMAND");
        ServePolicy.Decision d = new ServePolicy(r).check(original);
        if (d.argv().isEmpty()) {
            String msg = "zmsnap serve (root " + r + "): refused '" + (original == null ? "" : original) + "': " + d.why();
            spec.commandLine().getErr().println(msg);
            log(msg);
            return Main.FAILURE;
        }
        List<String> argv = new java.util.ArrayList<>(d.argv().get());
        argv.set(argv.indexOf("zfs"), zfs); // the policy allows only "zfs" or "timeout -s KILL Ns zfs" here
        return PassThrough.run(argv);
    }

    /** Refusals go to syslog too: the DR host's admin must see a compromised host probing. */
    private static void log(String msg) {
        try {
            new LocalCommandRunner().run(Command.of(Duration.ofSeconds(5), "logger", "-t", "zmsnap-serve", "-p", "auth.warning", msg));
        } catch (RuntimeException ignored) {
            // no syslog: stderr has it
        }
    }
}
