package org.zmsnap.cli;

import java.nio.file.Path;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by every command that reads the configuration. */
final class ConfigOption {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "configuration file (default: ${DEFAULT-VALUE})",
            defaultValue = "/etc/zmsnap/zmsnap.yaml")
    Path file;

    Config load() {
        return ConfigLoader.load(file);
    }
}
