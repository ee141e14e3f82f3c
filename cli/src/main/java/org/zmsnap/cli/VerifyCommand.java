package org.zmsnap.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.verify.Problem;
import org.zmsnap.verify.VerifyReport;
import org.zmsnap.verify.VerifyService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zmsnap verify}: a restore drill on one set; prints what the agent's {@link VerifyService} found. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Prove a snapshot set restorable: open it from clones with a sandbox MariaDB (as restore does),",
                "CHECK TABLE the Zimbra tables, match every message, document and appointment row with its blob (exists,",
                "size, digest), and check each mailbox's folder tree. The result is recorded on the set (org.zmsnap:verified).",
                "Exit 0 all passed, 1 a problem found, 2 usage or configuration error. See docs/verify.md."})
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--snapshot", paramLabel = "TAG|latest|TIME", required = true)
    String snapshot;

    @Mixin
    DrTargetOption target;

    @Option(names = "--sample", paramLabel = "FRACTION", defaultValue = "0.01",
            description = "share of the items unchanged since the last verified set whose digest is checked too (default ${DEFAULT-VALUE})")
    double sample;

    @Option(names = "--full", description = "check the digest of every blob, not only the changed ones and the sample")
    boolean full;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!(sample >= 0 && sample <= 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sample must be a fraction between 0 and 1, e.g. 0.01, not " + sample);
        }
        try (AgentContext ctx = new AgentContext(config.load())) {
            RestoreService restore = new RestoreService(ctx, target.get(), target.source());
            VerifyService.Verified v = new VerifyService(ctx.zfs(), restore, Clock.systemUTC()).verify(snapshot, full, sample);
            print(v, restore.source().describe());
            v.notRecorded().ifPresent(why -> spec.commandLine().getErr().println("zmsnap: the result could not be recorded on the set: " + why));
            return v.report().ok() ? Main.OK : Main.FAILURE;
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
