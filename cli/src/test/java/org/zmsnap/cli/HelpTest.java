package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** zmsnap's help, from the picocli model of the whole command tree: nothing undescribed, nothing cut off. */
class HelpTest {
    private static void walk(CommandLine cl, List<CommandLine> out) {
        out.add(cl);
        cl.getSubcommands().values().forEach(s -> walk(s, out));
    }

    private static List<CommandLine> tree() {
        List<CommandLine> out = new ArrayList<>();
        walk(Main.commandLine(), out);
        return out;
    }

    @Test
    void everyOptionAndPositionalHasADescription() {
        List<String> missing = new ArrayList<>();
        List<CommandLine> tree = tree();
        for (CommandLine cl : tree) {
            CommandSpec spec = cl.getCommandSpec();
            List<ArgSpec> args = new ArrayList<>(spec.options());
            args.addAll(spec.positionalParameters());
            for (ArgSpec a : args) {
                if (a.hidden()) {
                    continue;
                }
                String name = spec.qualifiedName() + " " + (a.isOption() ? ((CommandLine.Model.OptionSpec) a).longestName()
                        : a.paramLabel());
                if (String.join("", a.description()).isBlank()) {
                    missing.add(name);
                }
                // picocli prints each element on a line of its own: one that ends mid-sentence breaks the text there
                for (int i = 0; i < a.description().length - 1; i++) {
                    if (!a.description()[i].matches("(?s).*[.:]")) {
                        missing.add(name + " (split mid-sentence after '" + a.description()[i] + "')");
                    }
                }
            }
        }
        assertTrue(tree.size() > 15, "the whole tree was walked: " + tree.size());
        assertEquals(List.of(), missing, "options and positionals without a description");
    }

    /** The rows of the "Commands:" list of {@code usage}: name to its summary, wrapped lines joined. */
    private static Map<String, String> commandList(String usage) {
        Map<String, String> rows = new LinkedHashMap<>();
        String current = null;
        boolean in = false;
        for (String line : usage.split("\n")) {
            if (line.equals("Commands:")) {
                in = true;
            } else if (in && line.matches("  \\S.*")) {
                String[] nameAndText = line.strip().split("\\s+", 2);
                current = nameAndText[0];
                rows.put(current, nameAndText.length > 1 ? nameAndText[1] : "");
            } else if (in && current != null && line.startsWith("    ")) {
                rows.put(current, rows.get(current) + " " + line.strip());
            } else if (in && !line.isBlank()) {
                break;
            }
        }
        return rows;
    }

    @Test
    void theCommandListShowsEveryCommandsWholeFirstSentence() {
        for (CommandLine cl : tree()) {
            if (cl.getSubcommands().isEmpty()) {
                continue;
            }
            Map<String, String> rows = commandList(cl.getUsageMessage(CommandLine.Help.Ansi.OFF));
            // Hidden commands (cds-training, the launchers') are not listed.
            List<String> visible = cl.getSubcommands().entrySet().stream()
                    .filter(e -> !e.getValue().getCommandSpec().usageMessage().hidden()).map(Map.Entry::getKey).toList();
            assertEquals(visible, List.copyOf(rows.keySet()), cl.getCommandName());
            rows.forEach((name, summary) -> {
                assertFalse(summary.isBlank(), name + " has no summary");
                assertTrue(summary.endsWith("."), name + "'s summary is cut mid-sentence: " + summary);
                CommandLine.Model.UsageMessageSpec u = cl.getSubcommands().get(name).getCommandSpec().usageMessage();
                String description = String.join(" ", u.header().length > 0 ? u.header() : u.description())
                        .replaceAll("\\s+", " ");
                assertTrue(description.startsWith(summary), name + ": '" + summary + "' is not how its description starts");
            });
        }
    }

    @Test
    void theSummaryIsTheFirstSentenceEvenAcrossLinesAndAfterAnAbbreviation() {
        CommandSpec spec = CommandSpec.create();
        spec.usageMessage().description("Send the sets each target wants (e.g. the newest", "of each policy), incrementally.",
                "Exit 0 when all went well.");
        assertEquals("Send the sets each target wants (e.g. the newest of each policy), incrementally.", HelpLayout.summary(spec));
    }

    @Test
    void descriptionLinesSplitMidSentenceAreJoinedAndParagraphsKept() {
        assertEquals(List.of("Restore from a snapshot (--to-imap) or to files. A rerun adds nothing.", "--cleanup removes leftovers."),
                List.of(HelpLayout.paragraphs(new String[] {"Restore from a snapshot (--to-imap)", "or to files. A rerun adds nothing.",
                        "--cleanup removes leftovers."})));
        String restore = Main.commandLine().getSubcommands().get("restore").getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertTrue(restore.contains("(--to-imap) or to files"), restore);
    }

    private static String[] run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), err.toString(), out.toString()};
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "snapshot --bogus          | Unknown option: '--bogus'               | zmsnap snapshot --help",
            "snapshots --json extra    | Unmatched argument at index 2: 'extra'  | zmsnap snapshots --help",
            "snapshto                  | Unmatched argument at index 0           | zmsnap --help",
            "--config                  | Missing required parameter for option   | zmsnap --help",
            "failback grant            | Missing required option: '--source      | zmsnap failback grant --help",
    })
    void aUsageErrorIsTheErrorAndAPointerToHelp(String args, String error, String pointer) {
        String[] r = run(args.split(" "));
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].startsWith("zmsnap: " + error), r[1]);
        assertTrue(r[1].contains("See '" + pointer + "' for its options."), r[1]);
        assertFalse(r[1].contains("Usage:"), "not the whole help: " + r[1]);
        assertTrue(r[1].lines().count() <= 4, r[1]);
        assertEquals("", r[2]);
    }

    @Test
    void aMistypedCommandGetsASuggestion() {
        assertTrue(run("snapshto")[1].contains("snapshot"), run("snapshto")[1]);
    }

    @Test
    void helpItselfStillPrintsTheWholeHelpAndExitsZero() {
        String[] r = run("--help");
        assertEquals("0", r[0]);
        assertTrue(r[2].startsWith("Usage: zmsnap"), r[2]);
        assertTrue(r[2].contains("Commands:"), r[2]);
    }
}
