package org.zmsnap.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.PolicyConfig;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.drhost.SourceJobs;
import org.zmsnap.replication.ReplicationRunner;
import org.zmsnap.schedule.Periods;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.status.DaemonProbe;
import org.zmsnap.status.StatusItem;
import org.zmsnap.status.StatusRules;
import org.zmsnap.verify.DrillSubjects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zmsnap status}: one screen for a support call. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"One screen for a support call: the daemon's health, each policy's newest set (age, consistency, lock hold),",
                "each target's or source's lag and last run, and the last drill. Exit 1 when anything needs attention."})
final class StatusCommand implements Callable<Integer> {
    /**
     * How long connecting to zmsnapd's /healthz may take, and then its answer, before it counts as not answering. A
     * daemon that is not running refuses the connection at once. One that runs may answer late while a cycle, a send
     * and a drill share a small host (in the emulated test guest, 3 s for both was too short twice in one CI run):
     * a busy daemon must not be reported as not answering, and a hung one costs a support call 10 s.
     */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

    @Mixin
    ConfigOption config;

    @Option(names = "--json", description = "print the status as JSON: overall level and one object per line")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Config cfg = config.load();
        Instant now = Instant.now();
        List<StatusItem> items = new ArrayList<>();
        DaemonProbe.Answer daemon = DaemonProbe.ask(cfg.metrics(), CONNECT_TIMEOUT, ANSWER_TIMEOUT);
        items.add(StatusRules.daemon(daemon));
        // What the daemon is sending right now, from its /metrics; nothing to ask when it did not answer.
        java.util.Map<String, DaemonProbe.Running> running = daemon instanceof DaemonProbe.Answer.Unreachable
                || daemon instanceof DaemonProbe.Answer.NotServed ? java.util.Map.of() : DaemonProbe.running(cfg.metrics(), CONNECT_TIMEOUT,
                ANSWER_TIMEOUT);
        try (AgentContext ctx = new AgentContext(cfg)) {
            if (cfg.mailboxHost()) {
                List<SnapshotSet> sets = ctx.catalog().sets();
                for (PolicyConfig p : sorted(cfg.policies().values(), PolicyConfig::name)) {
                    items.add(StatusRules.policy(p, Periods.of(p.schedule(), now), sets, now));
                }
                ReplicationRunner runner = new ReplicationRunner(cfg, ctx.zfs(), ctx.catalog());
                for (TargetConfig t : sorted(cfg.targets().values(), TargetConfig::name)) {
                    items.add(StatusRules.target(t, runner.status(t), runner.lastRun(t),
                            java.util.Optional.ofNullable(running.get("target:" + t.name())), now));
                }
            }
            SourceJobs jobs = new SourceJobs(cfg, ctx.zfs());
            for (SourceConfig s : cfg.sources().values()) {
                items.add(StatusRules.source(s, jobs.status(s), java.util.Optional.ofNullable(running.get("source:" + s.name())), now));
            }
            DrillSubjects.statuses(ctx, now).forEach(d -> items.add(StatusRules.drill(d, now)));
        }
        StatusItem.Level overall = StatusRules.overall(items);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("host", cfg.host());
            doc.put("time", now.toString());
            doc.put("overall", overall.label());
            List<Map<String, Object>> rows = new ArrayList<>();
            for (StatusItem i : items) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("section", i.section());
                m.put("name", i.name());
                m.put("level", i.level().label());
                m.put("summary", i.summary());
                m.put("why", i.why().isEmpty() ? null : i.why());
                m.putAll(i.fields());
                rows.add(m);
            }
            doc.put("items", rows);
            out.println(Json.write(doc));
        } else {
            print(out, cfg.host(), now, items, overall, Colour.enabled());
        }
        return overall == StatusItem.Level.BAD ? Main.FAILURE : Main.OK;
    }

    static void print(PrintWriter out, String host, Instant now, List<StatusItem> items, StatusItem.Level overall, boolean colour) {
        out.println("zmsnap status of " + host + " at " + now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        for (StatusItem i : items) {
            out.printf("%-7s %-14s %s %s%n", i.section(), i.name(), Colour.level(i.level(), colour), i.summary());
            if (!i.why().isEmpty()) {
                out.println("        " + i.why());
            }
        }
        long attention = items.stream().filter(i -> i.level() != StatusItem.Level.OK).count();
        out.println("overall: " + Colour.level(overall, colour).strip() + (attention == 0 ? "" : " (" + attention + " to look at)"));
    }

    private static <T> List<T> sorted(java.util.Collection<T> c, java.util.function.Function<T, String> key) {
        return c.stream().sorted(Comparator.comparing(key)).toList();
    }

    /** Red for bad, yellow for warn: only on a terminal, and never when NO_COLOR is set (no-color.org). */
    static final class Colour {
        private Colour() {}

        static boolean enabled() {
            String noColor = System.getenv("NO_COLOR");
            return System.console() != null && (noColor == null || noColor.isEmpty()) && !"dumb".equals(System.getenv("TERM"));
        }

        static String level(StatusItem.Level level, boolean colour) {
            String word = String.format("%-4s", level.label());
            if (!colour || level == StatusItem.Level.OK) {
                return word;
            }
            return (level == StatusItem.Level.BAD ? "\u001b[31m" : "\u001b[33m") + word + "\u001b[0m";
        }
    }
}
