package org.zmsnap.cli.man;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.daemon.Zmsnapd;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The man pages name every command and option of the model that parses them, and man(1) formats them cleanly. */
class ManPagesTest {
    static final Path CONFIGURATION = Path.of("..", "docs", "configuration.md");

    static Map<String, String> pages() throws IOException {
        return ManPages.render(Files.readString(CONFIGURATION), "1.2.3", "2026-11-30");
    }

    @Test
    void theCommandPagesNameEveryCommandOptionAndPositionalOfTheModel() throws IOException {
        Map<String, String> pages = pages();
        assertEverything(org.zmsnap.cli.Main.commandLine().getCommandSpec(), pages.get("zmsnap.8"));
        assertEverything(new CommandLine(new Zmsnapd()).getCommandSpec(), pages.get("zmsnapd.8"));
        assertTrue(pages.get("zmsnap.8").contains(".SH EXIT STATUS\n.TP\n.B 0\nsuccess\n"), pages.get("zmsnap.8"));
        assertTrue(pages.get("zmsnapd.8").contains(".TH ZMSNAPD 8 \"2026-11-30\" \"zmsnap 1.2.3\""));
    }

    /** Each visible (sub)command as a .SS heading, each option by every name, each positional by its label. */
    private static void assertEverything(CommandSpec spec, String page) {
        if (spec.parent() != null) {
            assertTrue(page.contains(".SS \"" + spec.qualifiedName() + "\"\n"), "command " + spec.qualifiedName());
        }
        String section = spec.parent() == null ? page : page.substring(page.indexOf(".SS \"" + spec.qualifiedName() + "\"\n"));
        for (CommandLine.Model.OptionSpec o : spec.options()) {
            boolean describedOnceAtTheTop = spec.parent() != null && (o.usageHelp() || o.versionHelp() || o.inherited());
            if (!o.hidden()) {
                if (describedOnceAtTheTop) {
                    assertTrue(page.substring(0, page.indexOf(".SH COMMANDS")).contains("\\fB" + Troff.literal(o.longestName()) + "\\fR"), o.longestName());
                    continue;
                }
                for (String name : o.names()) {
                    assertTrue(section.contains("\\fB" + Troff.literal(name) + "\\fR"), spec.qualifiedName() + " option " + name);
                }
                String first = o.description().length == 0 ? "" : o.description()[0].replace("%n", "").strip();
                assertTrue(!first.isEmpty(), spec.qualifiedName() + " " + o.longestName() + " has no description");
            }
        }
        for (CommandLine.Model.PositionalParamSpec p : spec.positionalParameters()) {
            assertTrue(section.contains("\\fI" + p.paramLabel().replaceAll("^<|>$", "")), spec.qualifiedName() + " positional " + p.paramLabel());
        }
        for (CommandLine sub : spec.subcommands().values()) {
            if (!sub.getCommandSpec().usageMessage().hidden()) {
                assertEverything(sub.getCommandSpec(), page);
            }
        }
    }

    @Test
    void theConfigurationPageCarriesEveryKeyOfTheReference() throws IOException {
        String page = pages().get("zmsnap.yaml.5");
        assertTrue(page.startsWith(".\\\""), page.substring(0, 80));
        for (String line : Files.readAllLines(CONFIGURATION)) {
            if (line.startsWith("| `") ) {
                String key = MarkdownManPage.cells(line).get(0);
                assertTrue(page.contains(".TP\n" + Troff.inline(key) + "\n"), key);
            }
        }
        assertTrue(page.contains(".SH \"KEYS\"\n") && page.contains(".SS \"Schedules\"\n"), "headings");
        assertTrue(page.contains("\\fB*/15 * * * *\\fR"), "code spans kept literally");
    }

    @Test
    void noLineStartsWithSomethingTroffWouldMisread() throws IOException {
        for (Map.Entry<String, String> page : pages().entrySet()) {
            for (String line : page.getValue().lines().toList()) {
                assertTrue(!line.startsWith("'") && (!line.startsWith(".") || line.matches("\\.(\\\\\"|TH|SH|SS|PP|TP|IP|RS|RE|nf|fi|br|B|BR) ?.*")),
                        page.getKey() + ": " + line);
            }
        }
    }

    /**
     * man -l (or, where man-db is missing, groff itself) with all of groff's warnings on: none, and the page has its
     * sections. Skipped only on a machine with neither (scripts/install-deps installs groff-base).
     */
    @Test
    void manFormatsEveryPageWithoutAWarning(@TempDir Path dir) throws Exception {
        boolean man = Files.isExecutable(Path.of("/usr/bin/man"));
        org.junit.jupiter.api.Assumptions.assumeTrue(man || Files.isExecutable(Path.of("/usr/bin/groff")),
                "neither man nor groff is installed (apt-get install groff-base)");
        for (Map.Entry<String, String> page : pages().entrySet()) {
            Path file = dir.resolve(page.getKey());
            Files.writeString(file, page.getValue());
            List<String> cmd = man ? List.of("man", "--warnings=all", "-E", "UTF-8", "-l", file.toString())
                    : List.of("groff", "-k", "-man", "-ww", "-Tutf8", "-P-cbou", file.toString());
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd));
            pb.environment().put("MANWIDTH", "80");
            Path err = dir.resolve(page.getKey() + ".err");
            Path out = dir.resolve(page.getKey() + ".txt");
            Process p = pb.redirectError(err.toFile()).redirectOutput(out.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), cmd + " timed out");
            assertEquals(0, p.exitValue(), Files.readString(err));
            assertEquals("", Files.readString(err).strip(), cmd + ": " + Files.readString(err));
            String text = Files.readString(out);
            assertTrue(text.contains("NAME") && text.contains("SEE ALSO") && text.lines().count() > 20, text);
        }
    }
}
