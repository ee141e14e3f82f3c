package org.zmsnap.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.drhost.SourceJobs;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.TransferProgress;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zmsnap pull}: on a DR host, fetch the sets a source's keep wants from its mailbox host. */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"On a DR host: fetch each pull source's new snapshot sets from its mailbox host, incrementally,",
                "through 'zmsnap serve --send-only' there, then apply this host's retention to them.",
                "Exit 0 when every source pulled is up to date, 1 otherwise, 2 for a usage or config error."})
final class PullCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--source", paramLabel = "NAME", description = "only this source (default: every source with a 'pull' section)")
    String source;

    @Option(names = "--allow-empty", description = "exit 0 also when a source has no set its keep wants yet (nothing-eligible)")
    boolean allowEmpty;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Config cfg = config.load();
        List<SourceConfig> sources = source != null ? List.of(cfg.source(source))
                : cfg.sources().values().stream().filter(s -> s.pull().isPresent()).toList();
        if (sources.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no source in " + cfg.source()
                    + " has a 'pull' section (sources: " + String.join(", ", cfg.sources().keySet()) + ")");
        }
        for (SourceConfig s : sources) {
            if (s.pull().isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "source " + s.name() + " has no 'pull' section:"
                        + " its mailbox host pushes through 'zmsnap serve' here, so there is nothing to pull");
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        boolean ok = true;
        try (AgentContext ctx = new AgentContext(cfg)) {
            SourceJobs jobs = new SourceJobs(cfg, ctx.zfs());
            for (SourceConfig s : sources) {
                Outcomes.Row row;
                try {
                    TransferProgress progress = json ? TransferProgress.NONE : TransferPrinter.forStderr(spec.commandLine().getErr());
                    row = Outcomes.report("source", s.name(), jobs.pull(s, progress), json, allowEmpty, spec);
                } catch (SourceJobs.SourceStateException e) {
                    row = Outcomes.report("source", s.name(), new ReplicationOutcome.Refused(s.name(), e.getMessage()), json, false, spec);
                }
                ok &= row.ok();
                rows.add(row.json());
            }
        }
        if (json) {
            spec.commandLine().getOut().println(Json.write(rows));
        }
        return ok ? Main.OK : Main.FAILURE;
    }
}
