package org.zmsnap.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.exec.LocalCommandRunner;
import org.zmsnap.failback.DrHandback;
import org.zmsnap.failback.FailbackGrant;
import org.zmsnap.failback.FailbackOutcome;
import org.zmsnap.failback.FailbackService;
import org.zmsnap.failback.Salvage;
import org.zmsnap.salvage.SalvageExporter;
import org.zmsnap.salvage.SalvageReport;
import org.zmsnap.zfs.Zfs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code zmsnap failback}: bring the service back to the old mailbox host after {@code zmsnap promote}. On the old
 * host: {@code zmsnap failback --target NAME}; on the DR host: {@code grant}, {@code handback}, {@code revoke}.
 * See docs/failover.md.
 */
@Command(name = "failback", mixinStandardHelpOptions = true,
        subcommands = {FailbackCommand.Grant.class, FailbackCommand.HandBack.class, FailbackCommand.Revoke.class},
        description = {"On the old mailbox host, after the DR host promoted its copies: keep and export what only this host",
                "has (--salvage-dir), reset its datasets to the newest set both sides share (nothing is destroyed),",
                "receive what the DR host wrote since, and after the DR host's handback go live on its final set.",
                "Run it again to continue. On the DR host: grant (lets the old host read its copies back for a while),",
                "handback (final set with Zimbra stopped; the copies become replicas again), revoke.",
                "Exit 0 done (or --dry-run shown), 1 refused or failed (run again to continue), 2 bad input."})
final class FailbackCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--target", paramLabel = "NAME", description = "the DR host, as this host's targets.NAME (type zfs)")
    String target;

    @Option(names = "--salvage-dir", paramLabel = "DIR", description = "where the items only this host has are exported"
            + " (a directory per salvage; needed when this host holds anything newer than the common set)")
    Path salvageDir;

    @Option(names = "--dry-run", description = "show the plan (common set, salvage, bytes to receive); change nothing")
    boolean dryRun;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (target == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "on the old mailbox host: --target NAME;"
                    + " on the DR host: failback grant|handback|revoke --source NAME");
        }
        Config cfg = config.load();
        cfg.requireMailboxHost("failback --target");
        FailbackOutcome o;
        try (AgentContext ctx = new AgentContext(cfg)) {
            Salvage salvage = (base, newer, dir) -> {
                SalvageReport r = new SalvageExporter(ctx).export(base, newer, dir);
                return new Salvage.Summary(r.dir(), r.items(), r.bytes());
            };
            o = new FailbackService(ctx, salvage).run(new FailbackService.Options(target, dryRun, Optional.ofNullable(salvageDir)));
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (json) {
            out.println(Json.write(toJson(o)));
            out.flush();
        }
        if (o instanceof FailbackOutcome.Refused r) {
            err.println("zmsnap: failback refused, nothing changed: " + r.reason());
            return r.usage() ? Main.USAGE : Main.FAILURE;
        }
        if (o instanceof FailbackOutcome.Failed f) {
            err.println("zmsnap: failback stopped at '" + f.step() + "': " + f.reason());
            f.done().forEach(s -> err.println("  done: " + s));
            err.println("  Nothing was destroyed. Fix the cause and run the same command again: it continues from here.");
            return Main.FAILURE;
        }
        if (!json) {
            out.print(human(o));
            out.flush();
        }
        return Main.OK;
    }

    private String human(FailbackOutcome o) {
        StringBuilder b = new StringBuilder();
        if (o instanceof FailbackOutcome.DryRun d) {
            b.append("failback from ").append(target).append(" (dry run, nothing changed)\n");
            b.append("  common set: ").append(d.common()).append('\n');
            d.salvage().ifPresent(s -> b.append("  salvage:    ").append(s).append(" (this host holds state newer than the common set)\n"));
            b.append("  to receive: ").append(d.bytesToSend() < 0 ? "unknown (the DR host's ZFS has no 'written@')" : d.bytesToSend() + " bytes")
                    .append(", available here: ").append(d.available()).append(" bytes\n");
            d.steps().forEach(s -> b.append("  - ").append(s).append('\n'));
        } else if (o instanceof FailbackOutcome.Done d) {
            d.steps().forEach(s -> b.append("  ").append(s).append('\n'));
            d.salvaged().ifPresent(s -> b.append("salvaged ").append(s.items()).append(" items to ").append(s.dir())
                    .append(": put them back with zmsnap restore --from-salvage ").append(s.dir()).append(" --to-imap\n"));
            if (d.live()) {
                b.append("live again on ").append(d.finalSet().orElse("?")).append(". Next: start Zimbra here (zmcontrol start),")
                        .append(" point MX/DNS back, then on the DR host: zmsnap failback revoke --source NAME\n");
            } else {
                b.append("received what the DR host has (").append(d.bytes()).append(" bytes); it keeps serving. For the cutover:")
                        .append(" on the DR host stop Zimbra and run 'zmsnap failback handback --source NAME', then run this again\n");
            }
        }
        return b.toString();
    }

    static Map<String, Object> toJson(FailbackOutcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (o instanceof FailbackOutcome.Refused r) {
            m.put("result", "refused");
            m.put("reason", r.reason());
        } else if (o instanceof FailbackOutcome.Failed f) {
            m.put("result", "failed");
            m.put("step", f.step());
            m.put("reason", f.reason());
            m.put("done", f.done());
        } else if (o instanceof FailbackOutcome.DryRun d) {
            m.put("result", "dry-run");
            m.put("common", d.common());
            m.put("salvage", d.salvage().orElse(null));
            m.put("bytes_to_send", d.bytesToSend());
            m.put("available", d.available());
            m.put("steps", d.steps());
        } else if (o instanceof FailbackOutcome.Done d) {
            m.put("result", d.live() ? "live" : "received");
            m.put("common", d.common());
            m.put("salvage", d.salvage().orElse(null));
            m.put("bytes", d.bytes());
            m.put("final_set", d.finalSet().orElse(null));
            m.put("salvaged_items", d.salvaged().map(Salvage.Summary::items).orElse(null));
            m.put("salvage_dir", d.salvaged().map(s -> s.dir().toString()).orElse(null));
            m.put("steps", d.steps());
        }
        return m;
    }

    /** The DR host's commands share the source option and the refusal's exit codes. */
    abstract static class DrSide implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Option(names = "--source", required = true, paramLabel = "NAME", description = "the mailbox host (sources.NAME)")
        String source;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Config cfg = config.load();
            Zfs zfs = new Zfs(new LocalCommandRunner(), cfg.zfs().command(), cfg.zfs().timeout());
            try {
                String msg = run(cfg, new DrHandback(cfg, zfs));
                spec.commandLine().getOut().println(msg);
                spec.commandLine().getOut().flush();
                return Main.OK;
            } catch (DrHandback.Refusal r) {
                spec.commandLine().getErr().println("zmsnap: failback " + spec.name() + " refused, nothing changed: " + r.getMessage());
                return r.usage() ? Main.USAGE : Main.FAILURE;
            }
        }

        abstract String run(Config cfg, DrHandback dr);
    }

    @Command(name = "grant", mixinStandardHelpOptions = true,
            description = {"On the DR host: let the source's key (zmsnap serve --root) also read its copies back — sends",
                    "and zmsnap holds inside its root — until the grant expires or is revoked. Only for a promoted source."})
    static final class Grant extends DrSide {
        @Option(names = "--hours", paramLabel = "N", defaultValue = "24", description = "how long (default ${DEFAULT-VALUE}, at most 168)")
        long hours;

        @Override
        String run(Config cfg, DrHandback dr) {
            FailbackGrant g = dr.grant(cfg.source(source), Duration.ofHours(hours));
            return "granted: the key of source " + source + " may read its copies back until " + g.until()
                    + ". On the old host: zmsnap failback --target NAME --dry-run, then without --dry-run";
        }
    }

    @Command(name = "handback", mixinStandardHelpOptions = true,
            description = {"On the DR host, with Zimbra stopped here: take the final set, make the copies read-only",
                    "unmounted replicas again and mark them; the old host then receives the final set and goes live."})
    static final class HandBack extends DrSide {
        @Override
        String run(Config cfg, DrHandback dr) {
            DrHandback.Handback h = dr.handback(cfg.source(source));
            return (h.already() ? "already handed back" : "handed back") + ": final set " + h.finalSet()
                    + ". On the old host: zmsnap failback --target NAME (receives it and goes live);"
                    + " then here: zmsnap failback revoke --source " + source;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"On the DR host: end the grant and release the failback's holds; the key is append-only again."})
    static final class Revoke extends DrSide {
        @Override
        String run(Config cfg, DrHandback dr) {
            int released = dr.revoke(cfg.source(source));
            return "revoked: the key of source " + source + " only appends again (" + released + " failback holds released)";
        }
    }
}
