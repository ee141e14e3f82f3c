package org.zmsnap.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.TransferProgress;
import org.zmsnap.replication.ReplicationRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zmsnap replicate}: bring DR targets up to date now. */
@Command(name = "replicate", mixinStandardHelpOptions = true,
        description = {"Send the snapshot sets each target wants (the newest sets of each policy in its keep), incrementally.",
                "A diverged target is refused and left untouched unless --force-rollback. Each target's outcome is one of",
                "replicated, up-to-date, nothing-eligible, refused, failed (docs/replication.md, Outcomes).",
                "Exit 0 when every target holds the newest eligible set (replicated or up-to-date), 1 otherwise;",
                "with --allow-empty, nothing-eligible counts as success."})
final class ReplicateCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--target", paramLabel = "NAME", description = "only this target (default: all)")
    String target;

    @Option(names = "--force-rollback", description = "roll a diverged DR dataset back to the common snapshot, destroying its newer snapshots (a DR host whose serve lacks --allow-destroy refuses; its admin rolls back there)")
    boolean forceRollback;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Option(names = "--allow-empty", description = "exit 0 also when a target had no eligible set to send (no set yet, or none of a kept policy)")
    boolean allowEmpty;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Config cfg = config.load();
        cfg.requireMailboxHost("replicate");
        List<TargetConfig> targets = Targets.select(cfg, target, spec);
        List<Map<String, Object>> rows = new ArrayList<>();
        boolean ok = true;
        try (AgentContext ctx = new AgentContext(cfg)) {
            ReplicationRunner runner = new ReplicationRunner(cfg, ctx.zfs(), ctx.catalog());
            for (TargetConfig t : targets) {
                TransferProgress progress = json ? TransferProgress.NONE : TransferPrinter.forStderr(spec.commandLine().getErr());
                Outcomes.Row row = Outcomes.report("target", t.name(), runner.run(t, forceRollback, progress), json, allowEmpty, spec);
                ok &= row.ok();
                Map<String, Object> m = row.json();
                rows.add(m);
            }
        }
        if (json) {
            spec.commandLine().getOut().println(Json.write(rows));
        }
        return ok ? Main.OK : Main.FAILURE;
    }
}
