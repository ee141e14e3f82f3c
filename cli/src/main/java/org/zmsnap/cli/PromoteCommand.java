package org.zmsnap.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.zmsnap.config.Config;
import org.zmsnap.exec.LocalCommandRunner;
import org.zmsnap.promote.PromoteRequest;
import org.zmsnap.promote.PromoteService;
import org.zmsnap.promote.PromotionOutcome;
import org.zmsnap.promote.PromotionPlan;
import org.zmsnap.promote.Step;
import org.zmsnap.zfs.Zfs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zmsnap promote}: on the DR host, make a source's copies the live mailbox data. See docs/failover.md. */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = {"On the DR host: turn the newest complete set of a source's copies (or the one named) into",
                "writable datasets mounted where the mailbox host had them. Keeps every received set: each copy is",
                "snapshotted (zmsnap_prepromote_<time>) and held first; an older set goes live as clones.",
                "Exit 0 promoted (or --dry-run shown), 1 refused while a pull/receive runs or a step failed,",
                "2 bad input (unknown source, no complete set, already promoted, mountpoint in use)."})
final class PromoteCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--source", required = true, paramLabel = "NAME", description = "the mailbox host to take over (sources.NAME)")
    String source;

    @Option(names = "--snapshot", paramLabel = "latest|TAG", defaultValue = "latest",
            description = "the set: latest (default: the newest complete one) or a tag such as zmsnap_hourly_2026-11-22T14:00:00Z")
    String snapshot;

    @Option(names = "--dry-run", description = "show each step without doing it")
    boolean dryRun;

    @Option(names = "--abort-partial", description = "discard the partial state of a cut receive (zfs receive -A) instead of refusing")
    boolean abortPartial;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Config cfg = config.load();
        Zfs zfs = new Zfs(new LocalCommandRunner(), cfg.zfs().command(), cfg.zfs().timeout());
        PromoteRequest req = new PromoteRequest(source, PromoteRequest.parseSnapshot(snapshot), dryRun, abortPartial);
        PromotionOutcome o = new PromoteService(cfg, zfs).promote(req);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (json) {
            out.println(Json.write(toJson(o)));
        }
        if (o instanceof PromotionOutcome.Refused r) {
            err.println("zmsnap: promote refused, nothing changed: " + r.reason());
            return r.busy() ? Main.FAILURE : Main.USAGE;
        }
        if (o instanceof PromotionOutcome.Failed f) {
            err.println("zmsnap: promote failed at '" + f.failed().describe() + "': " + f.reason());
            err.println("  done: " + (f.done().isEmpty() ? "nothing" : ""));
            f.done().forEach(s -> err.println("    " + s.step().describe()));
            err.println("  not done:");
            f.plan().steps().subList(f.done().size(), f.plan().steps().size()).forEach(s -> err.println("    " + s.describe()));
            err.println("  No received set was destroyed. Fix the cause, then carry out the steps not done by hand,"
                    + " or undo the done ones (docs/failover.md, 'when promote fails').");
            return Main.FAILURE;
        }
        if (!json) {
            out.print(human(o));
            out.flush(); // print() does not flush picocli's writer, and main() ends in System.exit
        }
        return Main.OK;
    }

    static Map<String, Object> toJson(PromotionOutcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (o instanceof PromotionOutcome.Refused r) {
            m.put("result", "refused");
            m.put("busy", r.busy());
            m.put("reason", r.reason());
            return m;
        }
        PromotionPlan.Ready p;
        List<PromotionOutcome.StepTime> steps;
        long survey = 0;
        long total;
        if (o instanceof PromotionOutcome.Promoted pr) {
            m.put("result", "promoted");
            p = pr.plan();
            steps = pr.steps();
            survey = pr.surveyMicros();
            total = pr.totalMicros();
        } else if (o instanceof PromotionOutcome.DryRun d) {
            m.put("result", "dry-run");
            p = d.plan();
            steps = p.steps().stream().map(s -> new PromotionOutcome.StepTime(s, 0)).toList();
            survey = d.surveyMicros();
            total = d.surveyMicros();
        } else {
            PromotionOutcome.Failed f = (PromotionOutcome.Failed) o;
            m.put("result", "failed");
            m.put("reason", f.reason());
            m.put("failed_step", f.failed().describe());
            p = f.plan();
            steps = f.done();
            total = f.done().stream().mapToLong(PromotionOutcome.StepTime::micros).sum();
        }
        m.put("source", p.source());
        m.put("set", p.set().name());
        m.put("set_created", p.setCreated().toString());
        m.put("set_age_seconds", Duration.between(p.setCreated(), Instant.now()).toSeconds());
        m.put("consistent", p.consistency());
        m.put("mode", p.mode().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        m.put("mode_reason", p.modeReason());
        m.put("prepromote_snapshot", p.prepromote().name());
        List<Map<String, Object>> live = new ArrayList<>();
        p.live().forEach((copy, l) -> {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("copy", copy.value());
            d.put("dataset", l.value());
            d.put("mountpoint", p.mountpoints().get(l).toString());
            live.add(d);
        });
        m.put("datasets", live);
        List<Map<String, Object>> st = new ArrayList<>();
        for (PromotionOutcome.StepTime s : steps) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("step", s.step().describe());
            e.put("ms", s.micros() / 1000.0);
            st.add(e);
        }
        m.put("survey_ms", survey / 1000.0);
        m.put("steps", st);
        m.put("total_ms", total / 1000.0);
        m.put("suggested_config", configFile(p).toString());
        m.put("warnings", p.warnings());
        return m;
    }

    private static java.nio.file.Path configFile(PromotionPlan.Ready p) {
        return p.steps().stream().filter(s -> s instanceof Step.WriteConfig).map(s -> ((Step.WriteConfig) s).file())
                .findFirst().orElseThrow();
    }

    private static String human(PromotionOutcome o) {
        StringBuilder b = new StringBuilder();
        boolean dry = o instanceof PromotionOutcome.DryRun;
        PromotionPlan.Ready p = dry ? ((PromotionOutcome.DryRun) o).plan() : ((PromotionOutcome.Promoted) o).plan();
        Duration age = Duration.between(p.setCreated(), Instant.now());
        b.append(dry ? "would promote " : "promoted ").append(p.source()).append(" to set ").append(p.set().name())
                .append(" (taken ").append(p.setCreated()).append(", ").append(human(age)).append(" ago; consistent: ")
                .append(p.consistency()).append(")\n");
        b.append("  ").append(p.mode() == PromotionPlan.Mode.IN_PLACE ? "in place" : "as clones").append(": ").append(p.modeReason()).append('\n');
        p.warnings().forEach(w -> b.append("  note: ").append(w).append('\n'));
        b.append(dry ? "steps (not done: --dry-run):\n" : "steps:\n");
        if (dry) {
            p.steps().forEach(s -> b.append("  ").append(s.describe()).append('\n'));
        } else {
            for (PromotionOutcome.StepTime s : ((PromotionOutcome.Promoted) o).steps()) {
                b.append(String.format(Locale.ROOT, "  %8.1f ms  %s%n", s.micros() / 1000.0, s.step().describe()));
            }
            PromotionOutcome.Promoted pr = (PromotionOutcome.Promoted) o;
            b.append(String.format(Locale.ROOT, "  total %.1f ms (of which %.1f ms reading the copies and deciding)%n",
                    pr.totalMicros() / 1000.0, pr.surveyMicros() / 1000.0));
        }
        b.append(dry ? "would mount:\n" : "mounted:\n");
        p.live().values().forEach(l -> b.append("  ").append(l).append(" on ").append(p.mountpoints().get(l)).append('\n'));
        if (!dry) {
            b.append("\nRPO taken: the data is as of ").append(p.setCreated()).append(" (").append(human(age))
                    .append(" ago). Mail delivered to ").append(p.source()).append(" after that is not here.\n");
            b.append("Next:\n");
            b.append("  1. start Zimbra here:            su - zimbra -c 'zmcontrol start'\n");
            b.append("  2. point DNS (MX, mail host names) and any proxy at this host\n");
            b.append("  3. snapshot the promoted data:   review ").append(configFile(p))
                    .append(",\n     install it as /etc/zmsnap/zmsnap.yaml (keep other sources), restart zmsnapd\n");
            b.append("  4. pulls and DR retention for ").append(p.source()).append(" stop (the copies carry org.zmsnap:promoted);"
                    + " failback is not built yet: see docs/failover.md\n");
        }
        return b.toString();
    }

    private static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + " s" : s < 7200 ? s / 60 + " min" : s < 172_800 ? s / 3600 + " h" : s / 86_400 + " d";
    }
}
