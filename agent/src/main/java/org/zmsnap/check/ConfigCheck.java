package org.zmsnap.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.zmsnap.config.Config;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.coverage.CoverageCheck;
import org.zmsnap.mariadb.Quiescer;
import org.zmsnap.zfs.Zfs;

/**
 * {@code zmsnap check}: everything a valid config points at, one line per check. Each area runs on its own, so
 * one failure (MariaDB down) still lets the rest (targets, IMAP) be checked; nothing here changes anything.
 *
 * @param imapAccount the account the IMAP admin logs in on behalf of; empty: the admin itself (Zimbra's admin has
 *                    a mailbox of its own)
 */
public final class ConfigCheck {
    /** The bound on the IMAP connection and each exchange. */
    static final Duration IMAP_TIMEOUT = Duration.ofSeconds(20);

    private final Config config;
    private final Zfs zfs;
    private final Quiescer quiescer;
    private final CoverageCheck coverage;
    private final Optional<String> imapAccount;

    public ConfigCheck(Config config, Zfs zfs, Quiescer quiescer, CoverageCheck coverage, Optional<String> imapAccount) {
        this.config = config;
        this.zfs = zfs;
        this.quiescer = quiescer;
        this.coverage = coverage;
        this.imapAccount = imapAccount;
    }

    public CheckReport run() {
        List<CheckResult> out = new ArrayList<>();
        out.add(new CheckResult.Ok("config", config.source().toString(), "valid"
                + (config.mailboxHost() ? "; mailbox host" : "") + (config.sources().isEmpty() ? "" : "; DR host for "
                + String.join(", ", config.sources().keySet()))));
        area(out, "zfs", () -> HostCheck.zfs(zfs));
        if (config.mailboxHost()) {
            area(out, "datasets", () -> HostCheck.datasets(config, zfs));
            area(out, "mariadb", () -> MariaDbCheck.run(config, quiescer, coverage));
        }
        area(out, "lock file", () -> HostCheck.lockFile(config));
        for (TargetConfig t : config.targets().values()) {
            area(out, "target " + t.name(), () -> TargetCheck.run(t));
        }
        for (SourceConfig s : config.sources().values()) {
            area(out, "source " + s.name(), () -> SourceCheck.run(s, zfs));
        }
        area(out, "restore", () -> RestoreCheck.run(config.restore(), imapAccount, IMAP_TIMEOUT));
        return new CheckReport(out);
    }

    /** A check that throws where it did not expect to still gives a line, never a stack trace. */
    private static void area(List<CheckResult> out, String area, Supplier<List<CheckResult>> check) {
        try {
            out.addAll(check.get());
        } catch (RuntimeException | LinkageError e) {
            out.add(new CheckResult.Fail(area, "check", "the check itself failed: " + Lines.message(e),
                    "run again with --verbose and report this with the output"));
        }
    }
}
