package org.zmsnap.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.replication.ReplicationRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zmsnap targets}: per target, the newest common snapshot, the lag (RPO) and the last run. */
@Command(name = "targets", mixinStandardHelpOptions = true,
        description = {"Show each DR target: newest snapshot set in common (by GUID), lag, the last run's outcome",
                "(replicated, up-to-date, nothing-eligible, refused, failed), its time and bytes, and why it was not a success."})
final class TargetsCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--json", description = "print as JSON")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Config cfg = config.load();
        cfg.requireMailboxHost("targets");
        List<Map<String, Object>> rows = new ArrayList<>();
        Instant now = Instant.now();
        try (AgentContext ctx = new AgentContext(cfg)) {
            ReplicationRunner runner = new ReplicationRunner(cfg, ctx.zfs(), ctx.catalog());
            for (TargetConfig t : Targets.select(cfg, null, spec)) {
                ReplicationRunner.Status st = runner.status(t);
                var last = runner.lastRun(t);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("target", t.name());
                m.put("host", t.host());
                m.put("newest_common", st.newestCommon().orElse(null));
                m.put("lag_seconds", st.lag(now).map(Duration::toSeconds).orElse(null));
                m.put("error", st.error().orElse(null));
                m.put("last_result", last.map(org.zmsnap.replication.LastRun::result).orElse(null));
                m.put("last_run", last.map(l -> l.time().toString()).orElse(null));
                m.put("last_bytes", last.map(org.zmsnap.replication.LastRun::bytes).orElse(null));
                m.put("last_reason", last.flatMap(org.zmsnap.replication.LastRun::reason).orElse(null));
                rows.add(m);
            }
        }
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(rows));
            return Main.OK;
        }
        out.printf("%-10s %-16s %-42s %10s %-16s %-22s %12s%n", "TARGET", "HOST", "NEWEST COMMON", "LAG", "LAST", "LAST RUN", "LAST BYTES");
        for (Map<String, Object> m : rows) {
            out.printf("%-10s %-16s %-42s %10s %-16s %-22s %12s%n", m.get("target"), m.get("host"),
                    m.get("newest_common") == null ? "-" : m.get("newest_common"),
                    m.get("lag_seconds") == null ? "-" : m.get("lag_seconds") + "s",
                    m.get("last_result") == null ? "-" : m.get("last_result"),
                    m.get("last_run") == null ? "-" : m.get("last_run"), m.get("last_bytes") == null ? "-" : m.get("last_bytes"));
            if (m.get("error") != null) {
                out.println("  now: " + m.get("error"));
            }
            if (m.get("last_reason") != null) {
                out.println("  last " + m.get("last_result") + ": " + m.get("last_reason"));
            }
        }
        return Main.OK;
    }
}
