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
import org.zmsnap.config.SourceConfig;
import org.zmsnap.drhost.SourceJobs;
import org.zmsnap.replication.LastRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zmsnap sources}: on a DR host, each source's newest set received whole, lag, last pull and promotion. */
@Command(name = "sources", mixinStandardHelpOptions = true,
        description = "On a DR host: each source's newest set received on every dataset, its lag, the sets kept, the last pull and any promotion.")
final class SourcesCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--json", description = "print as JSON")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Config cfg = config.load();
        if (cfg.sources().isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), cfg.source() + " has no 'sources' section:"
                    + " 'zmsnap sources' is for a DR host (on a mailbox host, 'zmsnap targets' shows where it replicates)");
        }
        Instant now = Instant.now();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (AgentContext ctx = new AgentContext(cfg)) {
            SourceJobs jobs = new SourceJobs(cfg, ctx.zfs());
            for (SourceConfig s : cfg.sources().values()) {
                SourceJobs.Status st = jobs.status(s);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("source", s.name());
                m.put("mode", s.pull().map(p -> "pull from " + p.host()).orElse("push"));
                m.put("root", s.root().value());
                m.put("newest", st.newest().map(n -> n.tag().name()).orElse(null));
                m.put("lag_seconds", st.lag(now).map(Duration::toSeconds).orElse(null));
                m.put("rpo_seconds", s.rpo().toSeconds());
                m.put("sets", st.sets());
                m.put("last_result", st.lastPull().map(LastRun::result).orElse(null));
                m.put("last_run", st.lastPull().map(l -> l.time().toString()).orElse(null));
                m.put("last_bytes", st.lastPull().map(LastRun::bytes).orElse(null));
                m.put("promoted", st.promoted().orElse(null));
                m.put("error", st.error().orElse(null));
                rows.add(m);
            }
        }
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(rows));
            return Main.OK;
        }
        out.printf("%-10s %-22s %-42s %10s %5s %-8s %-22s %12s%n", "SOURCE", "MODE", "NEWEST", "LAG", "SETS", "LAST", "LAST RUN", "LAST BYTES");
        for (Map<String, Object> m : rows) {
            out.printf("%-10s %-22s %-42s %10s %5s %-8s %-22s %12s%n", m.get("source"), m.get("mode"), dash(m.get("newest")),
                    m.get("lag_seconds") == null ? "-" : m.get("lag_seconds") + "s", m.get("sets"), dash(m.get("last_result")),
                    dash(m.get("last_run")), dash(m.get("last_bytes")));
            if (m.get("promoted") != null) {
                out.println("  PROMOTED: " + m.get("promoted") + " (pulls and DR retention for this source are stopped)");
            }
            if (m.get("error") != null) {
                out.println("  " + m.get("error"));
            }
        }
        return Main.OK;
    }

    private static Object dash(Object v) {
        return v == null ? "-" : v;
    }
}
