package org.zmsnap.cli;

import java.nio.file.Path;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code -c, --config FILE}, shared by every command that reads the configuration and by {@code zmsnap} itself, so
 * that {@code zmsnap --config FILE snapshot} and {@code zmsnap snapshot --config FILE} mean the same. Not a picocli
 * inherited option: commands declare it through this mixin already, and an inherited option of the same name would
 * clash with theirs. The nearest one given wins: the command's own, else its parents' (nearest first), else the default.
 */
final class ConfigOption {
    static final Path DEFAULT = Config.DEFAULT_PATH;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    // No defaultValue: an absent option must stay null so a parent's value can apply.
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "configuration file (default: /etc/zmsnap/zmsnap.yaml); may also come before the command: zmsnap -c FILE COMMAND")
    Path file;

    /** The configuration file this command reads. */
    Path file() {
        if (file != null) {
            return file;
        }
        for (CommandSpec c = mixee.parent(); c != null; c = c.parent()) {
            OptionSpec o = c.findOption("--config");
            if (o != null && o.getValue() != null) {
                return o.getValue();
            }
        }
        return DEFAULT;
    }

    Config load() {
        return ConfigLoader.load(file());
    }
}
