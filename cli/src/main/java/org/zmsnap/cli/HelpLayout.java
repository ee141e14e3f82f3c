package org.zmsnap.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How zmsnap's help reads: a command list with each command's whole first sentence (picocli shows the first element
 * of the description array, which in our commands is often half a sentence), and a usage error as the error plus one
 * line pointing to the command's {@code --help}, not the whole help after it.
 */
final class HelpLayout {
    private HelpLayout() {}

    /** The end of a sentence: a full stop followed by a space or the end, but not the one in "e.g." or "i.e.". */
    private static final Pattern SENTENCE_END = Pattern.compile("(?<!\\be\\.g|\\bi\\.e|\\betc)\\.(?=\\s|$)");

    /** Installs both on {@code cl} and every command below it. */
    static CommandLine install(CommandLine cl) {
        cl.setParameterExceptionHandler(HelpLayout::usageError);
        CommandLine.Model.UsageMessageSpec usage = cl.getCommandSpec().usageMessage();
        usage.description(paragraphs(usage.description()));
        if (!cl.getSubcommands().isEmpty()) {
            cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, help -> {
                Map<String, String> rows = new LinkedHashMap<>();
                help.subcommands().forEach((name, sub) -> {
                    if (!sub.commandSpec().usageMessage().hidden()) {
                        rows.put(name, summary(sub.commandSpec()));
                    }
                });
                return help.createTextTable(rows).toString();
            });
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            install(sub);
        }
        return cl;
    }

    /** A command's one-line summary for the command list: the first sentence of its description, whole. */
    static String summary(CommandSpec spec) {
        String[] lines = spec.usageMessage().header().length > 0 ? spec.usageMessage().header() : spec.usageMessage().description();
        String text = String.join(" ", lines).replace("%n", " ").replaceAll("\\s+", " ").strip();
        Matcher m = SENTENCE_END.matcher(text);
        return m.find() ? text.substring(0, m.end()) : text;
    }

    /**
     * Picocli prints each element of a description array on a line of its own; ours are split where the source line
     * was long, often mid-sentence. Joins an element to the one before unless that one ends a sentence, so the text
     * wraps as prose and a new element still starts a new paragraph after a full stop.
     */
    static String[] paragraphs(String[] lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && !last.isEmpty() && !line.isEmpty() && !last.matches("(?s).*([.:!?]|%n)")) {
                out.set(out.size() - 1, last + " " + line.strip());
            } else {
                out.add(line);
            }
        }
        return out.toArray(String[]::new);
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("zmsnap: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("See '" + cl.getCommandSpec().qualifiedName() + " --help' for its options.");
        err.flush();
        return Main.USAGE;
    }
}
