package org.zmsnap.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.coverage.CoverageReport;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SetReport;
import org.zmsnap.snapshot.SnapshotTag;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zmsnap snapshot}: one consistent set now. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = {"Quiesce MariaDB and take one atomic snapshot set of every configured dataset now.",
                "Exit 0 when a set was taken (also a crash-consistent one; see 'consistent'), 1 when not, and 1 when",
                "it was taken but does not hold every path Zimbra needs ('coverage' no or unknown: it cannot restore Zimbra)."})
final class SnapshotCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--policy", paramLabel = "NAME", defaultValue = "manual",
            description = "policy name in the tag (default: ${DEFAULT-VALUE}). A manual set is neither pruned (retention"
                    + " applies to configured policies only) nor replicated (targets send only the policies in their keep)")
    String policy;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Config cfg = config.load();
        cfg.requireMailboxHost("snapshot");
        try {
            new SnapshotTag(policy, java.time.Instant.EPOCH);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--policy: " + e.getMessage());
        }
        if (!cfg.policies().isEmpty() && !cfg.policies().containsKey(policy) && !policy.equals("manual")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--policy: '" + policy + "' is not a configured policy ("
                    + String.join(", ", cfg.policies().keySet()) + ") nor 'manual'");
        }
        CycleOutcome outcome;
        Optional<CoverageReport> coverage;
        try (AgentContext ctx = new AgentContext(cfg)) {
            outcome = ctx.snapshotCycle().run(policy);
            coverage = ctx.coverage().last(); // the verdict this cycle marked its set with
        }
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (outcome instanceof CycleOutcome.Taken t) {
            String mark = coverage.map(CoverageReport::mark).orElse("unknown");
            out.println(json ? Json.write(toJson(t.report(), mark)) : human(t.report(), mark));
            if (!mark.equals("yes")) {
                // Taken and kept (marked), but a set that may miss Zimbra's data is no success: 'snapshot && replicate' stops.
                err.println("zmsnap: set " + t.report().tag() + " was taken but may not restore Zimbra (coverage " + mark + "): "
                        + String.join("; ", coverage.map(CoverageReport::problems).orElse(List.of()))
                        + ". zmsnap check names what to fix (docs/configuration.md, 'Recommended layout and coverage')");
                return Main.FAILURE;
            }
            return Main.OK;
        }
        if (outcome instanceof CycleOutcome.Skipped s) {
            if (json) {
                out.println(Json.write(Map.of("result", "skipped", "policy", s.policy(), "reason", s.reason())));
            }
            err.println("zmsnap: snapshot skipped: " + s.reason());
            return Main.FAILURE;
        }
        CycleOutcome.Failed f = (CycleOutcome.Failed) outcome;
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("result", "failed");
            m.put("policy", f.policy());
            m.put("reason", f.reason());
            m.put("left_behind", f.leftBehind().orElse(null));
            out.println(Json.write(m));
        }
        err.println("zmsnap: snapshot failed: " + f.reason());
        return Main.FAILURE;
    }

    static Map<String, Object> toJson(SetReport r, String coverage) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("result", "taken");
        m.put("tag", r.tag().name());
        m.put("policy", r.tag().policy());
        m.put("datasets", r.datasets().stream().map(Object::toString).toList());
        m.put("method", r.method().name().toLowerCase(java.util.Locale.ROOT));
        m.put("quiesce", r.quiesce().configName());
        m.put("acquire_ms", r.acquireMicros() / 1000.0);
        m.put("hold_ms", r.holdMicros() / 1000.0);
        m.put("snapshot_ms", r.snapshotMicros() / 1000.0);
        m.put("consistent", r.consistent());
        m.put("coverage", coverage);
        m.put("note", r.note());
        m.put("attempts", r.attempts());
        r.positions().ifPresent(p -> {
            Map<String, Object> pos = new LinkedHashMap<>();
            pos.put("binlog_file", p.binlogFile().orElse(null));
            pos.put("binlog_position", p.binlogPosition().orElse(null));
            pos.put("gtid_binlog_pos", p.gtidBinlogPos());
            pos.put("gtid_slave_pos", p.gtidSlavePos());
            pos.put("innodb_lsn", p.innodbLsn().orElse(null));
            pos.put("server_version", p.serverVersion());
            pos.put("server_id", p.serverId());
            m.put("positions", pos);
        });
        return m;
    }

    private static String human(SetReport r, String coverage) {
        StringBuilder sb = new StringBuilder();
        sb.append("snapshot ").append(r.tag()).append(" taken on ").append(r.datasets().size()).append(" datasets (")
                .append(r.method().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')).append(")\n");
        sb.append(String.format(java.util.Locale.ROOT, "  quiesce %s: acquired in %.1f ms, held %.1f ms, zfs snapshot %.1f ms%n",
                r.quiesce().configName(), r.acquireMicros() / 1000.0, r.holdMicros() / 1000.0, r.snapshotMicros() / 1000.0));
        sb.append("  coverage: ").append(coverage).append('\n');
        sb.append("  consistent: ").append(r.consistent() ? "yes" : "no" + (r.note().isEmpty() ? "" : " (" + r.note() + ")"));
        return sb.toString();
    }
}
