package org.zmsnap.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.zmsnap.retention.Retention;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.drhost.SourceJobs;
import org.zmsnap.retention.Decision;
import org.zmsnap.retention.Pruner;
import org.zmsnap.snapshot.HostLock;
import org.zmsnap.snapshot.SnapshotCycle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zmsnap prune}: apply the policies' retention now, or show what it would do. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Destroy snapshot sets beyond each policy's 'keep', oldest first, a whole set at a time",
                "(with --source on a DR host: that source's copies, by the source's 'keep').",
                "Never destroys: sets of unconfigured policies (e.g. manual), held snapshots, partial sets."})
final class PruneCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = {"-n", "--dry-run"}, description = "show the plan: every set, whether it would be destroyed or kept, and why; change nothing")
    boolean dryRun;

    @Option(names = "--source", paramLabel = "NAME", description = "on a DR host: apply this source's keep to its copies here")
    String source;

    @Option(names = "--json", description = "print the plan and result as JSON")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Config cfg = config.load();
        Pruner.Result result;
        if (source != null) {
            SourceConfig s = cfg.source(source);
            try (AgentContext ctx = new AgentContext(cfg)) {
                result = new SourceJobs(cfg, ctx.zfs()).prune(s, dryRun);
            } catch (SourceJobs.SourceStateException e) {
                spec.commandLine().getErr().println("zmsnap: " + e.getMessage());
                return Main.FAILURE;
            }
        } else {
            cfg.requireMailboxHost("prune");
            try (AgentContext ctx = new AgentContext(cfg);
                 HostLock ignored = HostLock.acquire(cfg.lockFile(), "prune", SnapshotCycle.HOST_LOCK_WAIT)) {
                result = new Pruner(ctx.zfs(), ctx.catalog(), Retention.counts(cfg.policies())).prune(dryRun, Map.of());
            }
        }
        var out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Decision d : result.plan()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("tag", d.set().tag().name());
                m.put("action", d.action().name().toLowerCase(java.util.Locale.ROOT));
                m.put("reason", d.reason());
                rows.add(m);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dry_run", dryRun);
            m.put("plan", rows);
            m.put("destroyed", result.destroyed().stream().map(Object::toString).toList());
            m.put("failures", result.failures());
            out.println(Json.write(m));
        } else {
            long n = result.plan().stream().filter(Decision::destroy).count();
            // A dry run shows the whole plan, every set with what would happen to it and why; a real run what it did.
            for (Decision d : result.plan()) {
                if (d.destroy()) {
                    out.printf("%s %s (%s)%n", dryRun ? "would destroy" : "destroyed", d.set().tag(), d.reason());
                } else if (dryRun) {
                    out.printf("would keep    %s (%s)%n", d.set().tag(), d.reason());
                }
            }
            out.printf("%s%d set(s) to destroy, %d kept%n", dryRun ? "dry run: " : "", n, result.plan().size() - n);
            result.failures().forEach(f -> spec.commandLine().getErr().println("zmsnap: could not destroy " + f));
        }
        return result.failures().isEmpty() ? Main.OK : Main.FAILURE;
    }
}
