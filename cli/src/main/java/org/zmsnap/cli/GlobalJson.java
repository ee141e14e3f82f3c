package org.zmsnap.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code zmsnap --json COMMAND}: the same as {@code zmsnap COMMAND --json}. Each command keeps its own {@code --json}
 * (its own description of what it prints); the top-level one only switches on the command's, before it runs, and is
 * a usage error for a command that prints nothing as JSON.
 */
final class GlobalJson {
    private GlobalJson() {}

    static final String DESCRIPTION = "print the command's result as JSON (the same as --json after the command)";

    /** Applies a top-level {@code --json} to the command that runs. */
    static void apply(ParseResult top) {
        if (!top.hasMatchedOption("--json")) {
            return;
        }
        ParseResult leaf = top;
        while (leaf.subcommand() != null) {
            leaf = leaf.subcommand();
        }
        if (leaf == top) {
            return;
        }
        OptionSpec json = leaf.commandSpec().findOption("--json");
        if (json == null) {
            throw new CommandLine.ParameterException(leaf.commandSpec().commandLine(),
                    "'" + leaf.commandSpec().qualifiedName() + "' has no JSON output: leave out --json");
        }
        json.setValue(true);
    }
}
