package org.zmsnap.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import org.zmsnap.check.CheckReport;
import org.zmsnap.check.CheckResult;
import org.zmsnap.check.ConfigCheck;
import org.zmsnap.config.Config;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zmsnap check}: the config, then everything it points at; one line per check with what to do. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Validate the configuration, then check everything it points at; one line per check, with what to do.",
                "%nChecked: MariaDB login and privileges, datasets, the lock file's directory, each target (host key, login,"
                        + " zmsnap serve, root), each source, the restore's mariadbd, work directory and IMAP admin login."
                        + " Changes nothing.",
                "%nExit 0: all ok or warnings; 1: a check failed; 2: the configuration is invalid. See docs/check.md."})
final class CheckCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--json", description = "print the results as JSON")
    boolean json;

    @Option(names = "--imap-as", paramLabel = "ACCOUNT", description = "log in to IMAP as the admin on behalf of this account (default: the admin itself, which on Zimbra"
            + " has a mailbox; give one where the admin has none)")
    String imapAs;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Config cfg = config.load(); // an invalid config is a ConfigException: Main prints it and exits 2
        CheckReport report;
        try (AgentContext ctx = new AgentContext(cfg)) {
            report = new ConfigCheck(cfg, ctx.zfs(), ctx.quiescer(), ctx.coverage(), Optional.ofNullable(imapAs)).run();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(json(report)));
        } else {
            print(out, report);
        }
        out.flush();
        return report.failed() ? Main.FAILURE : Main.OK;
    }

    static void print(PrintWriter out, CheckReport report) {
        for (CheckResult r : report.results()) {
            out.printf("%-4s  %-14s %s: %s%n", r.level().equals("fail") ? "FAIL" : r.level(), r.area(), r.what(), r.detail());
            if (!r.fix().isEmpty()) {
                out.println("      -> " + r.fix());
            }
        }
        out.printf("%d ok, %d warning(s), %d failed%n", report.count(CheckResult.Ok.class), report.count(CheckResult.Warn.class),
                report.count(CheckResult.Fail.class));
    }

    static Map<String, Object> json(CheckReport report) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (CheckResult r : report.results()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("level", r.level());
            m.put("area", r.area());
            m.put("check", r.what());
            m.put("detail", r.detail());
            m.put("fix", r.fix().isEmpty() ? null : r.fix());
            rows.add(m);
        }
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("ok", !report.failed());
        top.put("results", rows);
        return top;
    }
}
