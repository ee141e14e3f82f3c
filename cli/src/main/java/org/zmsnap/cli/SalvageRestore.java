package org.zmsnap.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.zmsnap.AgentContext;
import org.zmsnap.restore.RestoreProgress;
import org.zmsnap.restore.RestoreSummary;
import org.zmsnap.salvage.SalvageRedelivery;
import picocli.CommandLine;

/** {@code zmsnap restore --from-salvage DIR --to-imap}: the options {@link RestoreCommand} parsed, checked and carried out. */
final class SalvageRestore {
    private final RestoreCommand cmd;

    SalvageRestore(RestoreCommand cmd) {
        this.cmd = cmd;
    }

    int call() {
        check();
        try (AgentContext ctx = new AgentContext(cmd.config.load())) {
            PrintWriter err = cmd.spec.commandLine().getErr();
            RestoreProgress progress = cmd.json ? RestoreProgress.NONE : ProgressPrinter.forStderr(err);
            SalvageRedelivery.Outcome o = new SalvageRedelivery(ctx).run(cmd.fromSalvage,
                    new SalvageRedelivery.Options(Optional.ofNullable(cmd.intoFolder), cmd.intoOriginalFolders, cmd.dryRun), progress);
            print(o);
            return o.failed() ? Main.FAILURE : Main.OK;
        }
    }

    private void check() {
        CommandLine cl = cmd.spec.commandLine();
        if (cmd.fromSalvage == null) {
            throw new CommandLine.ParameterException(cl, "--into-original-folders goes with --from-salvage DIR");
        }
        List<String> foreign = new ArrayList<>();
        if (cmd.kind != null) {
            foreign.add(cmd.kind.name());
        }
        if (cmd.snapshot != null) {
            foreign.add("--snapshot");
        }
        if (cmd.account != null) {
            foreign.add("--account");
        }
        if (!cmd.itemIds.isEmpty()) {
            foreign.add("--item");
        }
        if (cmd.folder != null) {
            foreign.add("--folder");
        }
        if (cmd.deleted) {
            foreign.add("--deleted");
        }
        if (cmd.targetAccount != null) {
            foreign.add("--target-account");
        }
        if (cmd.target.get().isPresent() || cmd.target.source().isPresent()) {
            foreign.add("--target/--source");
        }
        if (!foreign.isEmpty()) {
            throw new CommandLine.ParameterException(cl, "--from-salvage DIR takes its items, accounts and folders from DIR's"
                    + " manifest; drop " + String.join(", ", foreign));
        }
        if (cmd.toDir != null || !cmd.toImap) {
            throw new CommandLine.ParameterException(cl, "--from-salvage re-delivers over IMAP: add --to-imap (restore.imap in"
                    + " the config). The salvage directory already holds every item as a file (DIR/<account>/<folder>/,"
                    + " listed in DIR/manifest.json); copy from there for files.");
        }
        if (cmd.intoOriginalFolders && cmd.intoFolder != null) {
            throw new CommandLine.ParameterException(cl, "give --into-original-folders or --into-folder NAME, not both");
        }
    }

    private void print(SalvageRedelivery.Outcome o) {
        var out = cmd.spec.commandLine().getOut();
        String where = o.folder().map(f -> "into \"" + f + "\"").orElse("into their original folders");
        if (cmd.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("salvage", cmd.fromSalvage.toString());
            m.put("salvage_time", o.manifest().salvageTime());
            m.put("host", o.manifest().host());
            m.put("base", o.manifest().base());
            m.put("newer", o.manifest().newer());
            m.put("folder", o.folder().orElse(null));
            m.put("dry_run", cmd.dryRun);
            List<Map<String, Object>> accounts = new ArrayList<>();
            int restored = 0;
            int present = 0;
            int failed = 0;
            for (SalvageRedelivery.AccountOutcome a : o.accounts()) {
                RestoreSummary s = a.summary();
                Map<String, Object> am = new LinkedHashMap<>();
                am.put("account", a.account());
                am.put("restored", s.restored());
                am.put("skipped_present", s.skippedPresent());
                am.put("failed", s.failed());
                am.put("failures", s.failures());
                am.put("bytes", s.bytes());
                accounts.add(am);
                restored += s.restored();
                present += s.skippedPresent();
                failed += s.failed();
            }
            m.put("restored", restored);
            m.put("skipped_present", present);
            m.put("failed", failed);
            m.put("not_messages", o.notMessages().size());
            m.put("not_message_items", o.notMessages());
            m.put("accounts", accounts);
            out.println(Json.write(m));
            return;
        }
        out.printf("%s the salvage of %s (%s, newer than %s) %s%n", cmd.dryRun ? "would re-deliver" : "re-delivered",
                o.manifest().host(), o.manifest().newer(), o.manifest().base(), where);
        for (SalvageRedelivery.AccountOutcome a : o.accounts()) {
            RestoreSummary s = a.summary();
            out.printf("  %s: restored %d, skipped (already present) %d, failed %d%n", a.account(), s.restored(), s.skippedPresent(), s.failed());
            s.failures().forEach(f -> out.println("    failed: " + f));
        }
        if (o.accounts().isEmpty()) {
            out.println("  no messages in the salvage");
        }
        o.notMessages().forEach(n -> out.println("  not re-delivered: " + n));
    }
}
