package org.zmsnap.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import java.time.Duration;
import java.time.Instant;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.verify.DrillStatus;
import org.zmsnap.verify.DrillSubjects;
import org.zmsnap.verify.Problem;
import org.zmsnap.verify.VerifyReport;
import org.zmsnap.verify.VerifyService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zmsnap verify}: a restore drill on one set; prints what the agent's {@link VerifyService} found. */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prove a snapshot set restorable: open it from clones with a sandbox MariaDB (as restore does),",
                "CHECK TABLE the Zimbra tables, match every message, document and appointment row with its blob (exists,",
                "size, digest), and check each mailbox's folder tree. The result is recorded on the set (org.zmsnap:verified).",
                "Exit 0 all passed, 1 a problem found, 2 usage or configuration error. See docs/verify.md."})
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--snapshot", paramLabel = "TAG|latest|TIME", description = "the set to verify")
    String snapshot;

    @Option(names = "--status", description = "instead of verifying: the last drill of this host's sets and of each source's"
            + " copies (from org.zmsnap:verified); exit 1 when one failed, is stale (older than twice the verify schedule,"
            + " or 2 days without one) or never ran")
    boolean status;

    @Mixin
    DrTargetOption target;

    @Option(names = "--sample", paramLabel = "FRACTION", defaultValue = "0.01",
            description = "share of the items unchanged since the last verified set whose digest is checked too (default ${DEFAULT-VALUE})")
    double sample;

    @Option(names = "--full", description = "check the digest of every blob, not only the changed ones and the sample")
    boolean full;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "5m",
            description = "how long to wait for another zmsnap (a verify, a restore) that has the same set open (default ${DEFAULT-VALUE}; 0: refuse at once)")
    String waitFor;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        // The JVM's start, picocli and the config: part of every drill's fixed cost (ZMSNAP_LOG_LEVEL=DEBUG shows it).
        org.slf4j.LoggerFactory.getLogger(VerifyCommand.class).debug("verify command reached {} ms after the process started",
                ProcessHandle.current().info().startInstant().map(s -> Duration.between(s, Instant.now()).toMillis()).orElse(-1L));
        if (status) {
            if (snapshot != null || target.get().isPresent() || target.source().isPresent() || full) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--status reports on every drilled set; give it alone"
                        + " (with --json or -c), without --snapshot, --target, --source or --full");
            }
            return status();
        }
        if (snapshot == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --snapshot TAG|latest|TIME (the set to verify), or --status");
        }
        if (!(sample >= 0 && sample <= 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sample must be a fraction between 0 and 1, e.g. 0.01, not " + sample);
        }
        java.time.Duration wait;
        try {
            wait = waitFor.strip().equals("0") ? java.time.Duration.ZERO : org.zmsnap.config.Durations.parse(waitFor);
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--wait: a duration such as 30s, 5m or 0, not '" + waitFor + "'");
        }
        try (AgentContext ctx = new AgentContext(config.load())) {
            RestoreService restore = new RestoreService(ctx, target.get(), target.source());
            PrintWriter err = spec.commandLine().getErr();
            VerifyService.Verified v = VerifyService.of(ctx, restore, Clock.systemUTC(), wait, msg -> {
                err.println("zmsnap: " + msg);
                err.flush();
            }).verify(snapshot, full, sample);
            print(v, restore.source().describe());
            v.notRecorded().ifPresent(why -> spec.commandLine().getErr().println("zmsnap: the result could not be recorded on the set: " + why));
            return v.report().ok() ? Main.OK : Main.FAILURE;
        }
    }

    private int status() {
        Instant now = Instant.now();
        try (AgentContext ctx = new AgentContext(config.load())) {
            Duration maxAge = DrillSubjects.staleAfter(ctx, now);
            List<DrillStatus> rows = DrillSubjects.statuses(ctx, now);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                List<Map<String, Object>> list = new ArrayList<>();
                for (DrillStatus r : rows) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("source", r.subject());
                    m.put("state", r.state().label());
                    m.put("newest_set", r.newestSet().orElse(null));
                    m.put("last_drill", r.last().map(d -> d.mark().time().toString()).orElse(null));
                    m.put("last_drill_set", r.last().map(DrillStatus.Drill::set).orElse(null));
                    m.put("last_result", r.last().map(d -> d.mark().ok() ? "ok" : "failed").orElse(null));
                    m.put("last_mode", r.last().map(d -> d.mark().mode()).orElse(null));
                    m.put("age_seconds", r.last().map(d -> Duration.between(d.mark().time(), now).toSeconds()).orElse(null));
                    m.put("last_ok", r.lastOk().map(d -> d.mark().time().toString()).orElse(null));
                    m.put("last_ok_set", r.lastOk().map(DrillStatus.Drill::set).orElse(null));
                    m.put("last_full", r.lastFull().map(d -> d.mark().time().toString()).orElse(null));
                    List<Map<String, Object>> sets = new ArrayList<>();
                    for (DrillStatus.Drill d : r.drilled()) {
                        Map<String, Object> dm = new LinkedHashMap<>();
                        dm.put("set", d.set());
                        dm.put("verified", d.mark().value());
                        sets.add(dm);
                    }
                    m.put("drilled_sets", sets);
                    m.put("stale_after_seconds", maxAge.toSeconds());
                    m.put("detail", r.detail());
                    list.add(m);
                }
                out.println(Json.write(list));
            } else {
                out.printf("%-20s %-7s %-21s %-12s %-40s %s%n", "SOURCE", "STATE", "LAST DRILL", "MODE", "SET", "LAST OK");
                for (DrillStatus r : rows) {
                    out.printf("%-20s %-7s %-21s %-12s %-40s %s%n", r.subject(), r.state().label(),
                            r.last().map(d -> d.mark().time().toString()).orElse("-"),
                            r.last().map(d -> d.mark().mode()).orElse("-"),
                            r.last().map(DrillStatus.Drill::set).orElse("-"),
                            r.lastOk().map(d -> d.mark().time().toString()).orElse("never"));
                    if (!r.detail().isEmpty()) {
                        out.println("  " + r.detail());
                    }
                }
                out.println("a drill older than " + org.zmsnap.config.Durations.format(maxAge) + " is stale ("
                        + DrillStatus.STALE_PERIODS + " x " + (ctx.config().verify().isPresent() ? "the verify schedule's period"
                        : "a day: no verify section") + "); zmsnap verify --snapshot TAG lists a failed drill's problems");
            }
            return rows.stream().allMatch(DrillStatus::ok) ? Main.OK : Main.FAILURE;
        }
    }

    private void print(VerifyService.Verified v, String source) {
        VerifyReport r = v.report();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("snapshot", r.tag());
            m.put("source", source);
            m.put("ok", r.ok());
            m.put("mode", r.mode().label());
            m.put("mode_detail", r.mode().describe());
            m.put("mailboxes", r.mailboxes());
            m.put("items", r.items());
            m.put("bytes_read", r.bytesRead());
            m.put("digests_checked", r.digestsChecked());
            m.put("verify_ms", r.millis());
            List<Map<String, Object>> problems = new ArrayList<>();
            for (Problem p : r.problems()) {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("mailbox", p.mailbox());
                pm.put("account", p.account());
                pm.put("item", p.item());
                pm.put("folder", p.folder());
                pm.put("kind", p.kind().label());
                pm.put("detail", p.detail());
                problems.add(pm);
            }
            m.put("problems", problems);
            out.println(Json.write(m));
            return;
        }
        out.printf("%s %s on %s: %d mailboxes, %d items, %.1f MB read, %d digests checked, mode %s, %.1f s%n",
                r.ok() ? "verified" : "FAILED", r.tag(), source, r.mailboxes(), r.items(), r.bytesRead() / 1e6,
                r.digestsChecked(), r.mode().describe(), r.millis() / 1000.0);
        for (Problem p : r.problems()) {
            out.printf("  %-16s mailbox %s item %s folder %s: %s%n", p.kind().label(),
                    p.mailbox() == 0 ? "-" : p.mailbox() + (p.account().isEmpty() ? "" : " (" + p.account() + ")"),
                    p.item() == 0 ? "-" : Integer.toString(p.item()), p.folder().isEmpty() ? "-" : p.folder(), p.detail());
        }
        if (!r.ok()) {
            out.println(r.problems().size() + " problems; docs/verify.md says what each means and what to do next");
        }
    }
}
