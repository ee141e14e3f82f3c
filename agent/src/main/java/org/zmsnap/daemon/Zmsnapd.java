package org.zmsnap.daemon;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigException;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.coverage.CoverageReport;
import org.zmsnap.runtime.Version;
import org.zmsnap.systemd.SdNotify;
import org.zmsnap.mariadb.QuiesceException;
import org.zmsnap.zfs.ZfsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code zmsnapd}, the agent: runs the policies' snapshot cycles on their schedules, prunes, serves metrics.
 * {@code --check} only validates the configuration and checks that MariaDB and ZFS answer.
 */
@Command(name = "zmsnapd", mixinStandardHelpOptions = true, versionProvider = Zmsnapd.VersionProvider.class,
        exitCodeOnInvalidInput = 2, description = {"The zmsnap agent: scheduled consistent snapshots of a Zimbra host.",
                "It runs each policy's snapshot cycle on its cron schedule (UTC), prunes after every cycle, replicates to the "
                        + "targets after the policies they follow, on a DR host pulls and prunes its sources, runs the restore "
                        + "drills of a verify: section, and serves /metrics and /healthz.",
                "Under systemd (zmsnapd.service, Type=notify) it reports READY once the configuration, MariaDB and every "
                        + "dataset answered. See /usr/share/doc/zmsnap/daemon.md."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped cleanly (SIGTERM), or --check passed",
                "1:failure: MariaDB, ZFS or a dataset did not answer, or the daemon failed",
                "2:usage or configuration error: nothing was started"})
public final class Zmsnapd implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "/etc/zmsnap/zmsnap.yaml",
            description = "configuration file (default: ${DEFAULT-VALUE})")
    Path config;

    @Option(names = "--check", description = "validate the configuration, check that MariaDB and every dataset answer and that the datasets hold MariaDB's datadir, its InnoDB files and every Zimbra volume, and exit")
    boolean check;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** A usage error prints the error and where the help is, not the whole help after it (as zmsnap does). */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Zmsnapd());
        cl.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("zmsnapd: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, e.getCommandLine().getErr());
            e.getCommandLine().getErr().println("See 'zmsnapd --help' for its options.");
            return 2;
        });
        return cl;
    }

    @Override
    public Integer call() {
        Config cfg;
        try {
            cfg = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println("zmsnapd: configuration error: " + e.getMessage());
            return 2;
        }
        if (!check) {
            return runDaemon(cfg);
        }
        try (AgentContext ctx = new AgentContext(cfg)) {
            ctx.quiescer().check();
            var missing = ctx.zfs().missing(cfg.datasets());
            if (!missing.isEmpty()) {
                System.err.println("zmsnapd: dataset(s) " + missing + " do not exist");
                return 1;
            }
            if (cfg.mailboxHost()) {
                CoverageReport cov = ctx.coverage().check();
                cov.warnings().forEach(w -> System.err.println("zmsnapd: warning: " + w));
                if (!cov.ok()) {
                    cov.problems().forEach(p -> System.err.println("zmsnapd: " + p));
                    System.err.println("zmsnapd: the datasets do not hold everything Zimbra needs: every set would be marked consistent=no"
                            + " (see 'Recommended layout' in docs/configuration.md)");
                    return 1;
                }
                System.out.println("zmsnapd: configuration " + config + " is valid; MariaDB and " + cfg.datasets().size()
                        + " datasets answer (" + ctx.zfs().features().implementation() + "); " + coveredSummary(cov));
            }
            if (!cfg.sources().isEmpty()) {
                System.out.println("zmsnapd: configuration " + config + " is valid; DR host for sources " + cfg.sources().keySet()
                        + " (" + ctx.zfs().features().implementation() + ")");
            }
            return 0;
        } catch (QuiesceException | ZfsException e) {
            System.err.println("zmsnapd: " + e.getMessage());
            return 1;
        }
    }

    private static String coveredSummary(CoverageReport cov) {
        return ((CoverageReport.Checked) cov).covered().stream()
                .map(c -> c.path().what() + " " + c.realPath() + " on " + c.dataset())
                .collect(java.util.stream.Collectors.joining(", ", "covered: ", ""));
    }

    private static int runDaemon(Config cfg) {
        Daemon daemon;
        try {
            daemon = Daemon.start(cfg, SdNotify.fromEnvironment());
        } catch (Daemon.StartException e) {
            System.err.println("zmsnapd: " + e.getMessage());
            return e.exitCode();
        }
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        // SIGTERM runs shutdown hooks: stop firing, let a running (bounded) cycle finish, then exit.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            stopped.countDown();
        }, "zmsnapd-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"zmsnapd " + Version.get()};
        }
    }
}
