package org.zmsnap.cli;

import java.util.ArrayList;
import java.util.List;
import org.zmsnap.config.Config;
import org.zmsnap.config.TargetConfig;
import picocli.CommandLine;

/** {@code --target NAME} or all: an unknown name is a usage error listing the configured ones. */
final class Targets {
    private Targets() {}

    static List<TargetConfig> select(Config cfg, String name, CommandLine.Model.CommandSpec spec) {
        if (cfg.targets().isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no targets are configured (add a 'targets' section)");
        }
        if (name == null) {
            return new ArrayList<>(cfg.targets().values());
        }
        TargetConfig t = cfg.targets().get(name);
        if (t == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--target: unknown target '" + name
                    + "'; configured: " + String.join(", ", cfg.targets().keySet()));
        }
        return List.of(t);
    }
}
