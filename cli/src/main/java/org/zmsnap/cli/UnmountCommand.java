package org.zmsnap.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.restore.session.OpenedSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code zmsnap unmount}: closes what {@code zmsnap mount} left open. */
@Command(name = "unmount", mixinStandardHelpOptions = true,
        description = "Stop the sandbox MariaDB and destroy the clones of every snapshot 'zmsnap mount' keeps open.")
final class UnmountCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (AgentContext ctx = new AgentContext(config.load())) {
            List<Path> mounted = RestoreService.leftoversOfThisHost(ctx).mounted();
            if (mounted.isEmpty()) {
                spec.commandLine().getOut().println("nothing mounted");
                return Main.OK;
            }
            for (Path dir : mounted) {
                OpenedSnapshot o = OpenedSnapshot.attach(ctx.zfs(), dir);
                o.close();
                spec.commandLine().getOut().println("unmounted " + o.tag() + " (session " + o.id() + ")");
            }
            return Main.OK;
        }
    }
}
