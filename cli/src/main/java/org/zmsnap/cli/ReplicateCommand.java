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

    @Option(names = "--force-rollback", description = "roll a diverged DR dataset back to the common snapshot, destroying its newer snapshots")
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
        List<TargetConfig> targets = Targets.select(cfg, target, spec);
        List<Map<String, Object>> rows = new ArrayList<>();
        boolean ok = true;
        try (AgentContext ctx = new AgentContext(cfg)) {
            ReplicationRunner runner = new ReplicationRunner(cfg, ctx.zfs(), ctx.catalog());
            for (TargetConfig t : targets) {
                ReplicationOutcome o = runner.run(t, forceRollback);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("target", t.name());
                m.put("result", o.result());
                var out = spec.commandLine().getOut();
                if (o instanceof ReplicationOutcome.Replicated r) {
                    m.put("bytes", r.bytes());
                    m.put("seconds", r.nanos() / 1e9);
                    m.put("newest_common", r.newestCommon().orElse(null));
                    m.put("steps", r.steps());
                    m.put("destroyed_on_target", r.destroyedOnTarget());
                    if (!json && r.result().equals(ReplicationOutcome.REPLICATED)) {
                        out.printf("%s: replicated: now at %s (%d bytes in %.1f s, %d step(s), %d pruned on the target)%n",
                                t.name(), r.newestCommon().orElse("-"), r.bytes(), r.nanos() / 1e9, r.steps().size(), r.destroyedOnTarget());
                    } else if (!json) {
                        out.printf("%s: up-to-date: at %s (nothing to send, %d pruned on the target)%n",
                                t.name(), r.newestCommon().orElse("-"), r.destroyedOnTarget());
                    }
                } else {
                    m.put("reason", o.reason());
                    boolean tolerated = allowEmpty && o instanceof ReplicationOutcome.NothingEligible;
                    ok &= tolerated;
                    if (tolerated && !json) {
                        out.println(t.name() + ": " + o.result() + ": " + o.reason());
                    } else if (!tolerated) {
                        spec.commandLine().getErr().println("zmsnap: " + t.name() + ": " + o.result() + ": " + o.reason());
                    }
                }
                rows.add(m);
            }
        }
        if (json) {
            spec.commandLine().getOut().println(Json.write(rows));
        }
        return ok ? Main.OK : Main.FAILURE;
    }
}
