package org.zmsnap.cli;

import org.zmsnap.config.ConfigException;
import org.zmsnap.runtime.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code zmsnap}: what an admin types. Exit codes: 0 success, 1 failure, 2 usage or configuration error. */
@Command(name = "zmsnap", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = Main.USAGE,
        exitCodeOnExecutionException = Main.FAILURE, versionProvider = Main.VersionProvider.class,
        description = "Consistent ZFS snapshots of a Zimbra mailbox host, and what to do with them.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure: the command ran and something went wrong (the message says what)",
                "2:usage or configuration error: nothing was changed"},
        subcommands = {SnapshotCommand.class, SnapshotsCommand.class, PruneCommand.class, ReplicateCommand.class, PromoteCommand.class, TargetsCommand.class, ServeCommand.class,
                PullCommand.class, SourcesCommand.class, StatusCommand.class, CheckCommand.class, FailbackCommand.class,
                MountCommand.class, UnmountCommand.class, BrowseCommand.class, SearchCommand.class, RestoreCommand.class, ExportCommand.class, VerifyCommand.class, CompletionCommand.class, CdsTrainingCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "also show log lines of zmsnap (INFO) and of its libraries (JDBC, SSH) on stderr")
    boolean verbose;

    /** {@code zmsnap -c FILE COMMAND}: read by the command's own {@link ConfigOption} when it is not given there. */
    @CommandLine.Mixin
    ConfigOption config;

    /** {@code zmsnap --json COMMAND}: switches on the command's own --json ({@link GlobalJson}). */
    @CommandLine.Option(names = "--json", description = GlobalJson.DESCRIPTION)
    boolean json;

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        // Before anything logs; picocli accepts --verbose anywhere (an inherited option), so look at the words.
        CliLogging.configure(java.util.Arrays.asList(args).contains("--verbose"));
        return commandLine().execute(args);
    }

    /** The whole command tree, with zmsnap's error handling and help layout. */
    public static CommandLine commandLine() {
        CommandLine cl = HelpLayout.install(new CommandLine(new Main()));
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof org.zmsnap.zimbra.RestoreUsageException) {
                line.getErr().println("zmsnap: " + e.getMessage());
                return USAGE;
            }
            if (e instanceof ConfigException) {
                line.getErr().println("zmsnap: configuration error: " + e.getMessage());
                return USAGE;
            }
            line.getErr().println("zmsnap: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return FAILURE;
        });
        cl.setExecutionStrategy(parsed -> {
            GlobalJson.apply(parsed);
            return new CommandLine.RunLast().execute(parsed);
        });
        return cl;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"zmsnap " + Version.get()};
        }
    }
}
