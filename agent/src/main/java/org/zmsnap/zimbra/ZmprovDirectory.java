package org.zmsnap.zimbra;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.zmsnap.config.RestoreConfig;
import org.zmsnap.exec.Command;
import org.zmsnap.exec.CommandException;
import org.zmsnap.exec.CommandResult;
import org.zmsnap.exec.CommandRunner;

/**
 * Asks Zimbra's directory which zimbraId an address belongs to ({@code zmprov -l getAccount ADDRESS zimbraId}).
 * It is the authority where zimbra.mailbox.comment is not: the comment keeps the address an account was
 * created with, so it misses renamed accounts and aliases. Run as the zimbra user (with runuser, no shell)
 * when zmsnap runs as root, since zmprov reads zimbra's localconfig and environment.
 */
public final class ZmprovDirectory {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern ZIMBRA_ID = Pattern.compile("(?m)^zimbraId:\\s*([0-9a-fA-F-]{36})\\s*$");
    /** zmprov's word for an unknown account, whatever its exit code. */
    private static final String NO_SUCH_ACCOUNT = "NO_SUCH_ACCOUNT";
    private static final Pattern ADDRESS = Pattern.compile("[^\\s@]+@[^\\s@]+");

    private final List<String> prefix;
    private final CommandRunner runner;

    ZmprovDirectory(List<String> prefix, CommandRunner runner) {
        this.prefix = List.copyOf(prefix);
        this.runner = runner;
    }

    /** The directory the config names; empty when zmprov is off or not installed (a host without Zimbra). */
    public static Optional<ZmprovDirectory> of(RestoreConfig.Zmprov cfg, CommandRunner runner, boolean runningAsRoot) {
        if (cfg.command().isEmpty() || !Files.isExecutable(cfg.command().get())) {
            return Optional.empty();
        }
        List<String> prefix = new ArrayList<>();
        if (runningAsRoot && cfg.user().isPresent()) {
            prefix.addAll(List.of("runuser", "-u", cfg.user().get(), "--"));
        }
        prefix.add(cfg.command().get().toString());
        return Optional.of(new ZmprovDirectory(prefix, runner));
    }

    /**
     * The account's zimbraId, or empty when the directory has no such account. Anything else zmprov says
     * (LDAP down, no permission) is a {@link RestoreException} carrying its words.
     */
    public Optional<String> zimbraId(String address) {
        if (!ADDRESS.matcher(address).matches() || address.startsWith("-")) {
            return Optional.empty();
        }
        List<String> argv = new ArrayList<>(prefix);
        argv.addAll(List.of("-l", "getAccount", address, "zimbraId"));
        CommandResult r;
        try {
            r = runner.run(Command.of(TIMEOUT, argv));
        } catch (CommandException e) {
            throw new RestoreException("cannot ask Zimbra's directory about " + address + ": " + e.getMessage(), e);
        }
        Matcher m = ZIMBRA_ID.matcher(r.stdout());
        if (r.ok() && m.find()) {
            return Optional.of(m.group(1).toLowerCase(java.util.Locale.ROOT));
        }
        if ((r.stdout() + r.stderr()).contains(NO_SUCH_ACCOUNT)) {
            return Optional.empty();
        }
        throw new RestoreException("'" + String.join(" ", argv) + "' exited " + r.exitCode() + ": "
                + (r.stderr().isBlank() ? r.stdout() : r.stderr()).strip()
                + " (set restore.zmprov: none to look accounts up by zimbra.mailbox.comment only)");
    }

    /** For messages and tests: the command line before zmprov's own arguments. */
    List<String> prefix() {
        return prefix;
    }
}
