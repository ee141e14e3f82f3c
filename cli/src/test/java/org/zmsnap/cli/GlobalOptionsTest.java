package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** {@code --config}/{@code -c} before or after the command: parsed with picocli alone, nothing runs. */
class GlobalOptionsTest {
    private static final Path FILE = Path.of("/srv/conf/mbox1.yaml");

    /** The config file the innermost command of {@code args} would read. */
    private static Path configOf(String... args) {
        ParseResult r = new CommandLine(new Main()).parseArgs(args);
        while (r.subcommand() != null) {
            r = r.subcommand();
        }
        Object mixin = r.commandSpec().mixins().get("config").userObject();
        assertNotNull(mixin, r.commandSpec().qualifiedName() + " has no --config");
        return ((ConfigOption) mixin).file();
    }

    private static List<String> words(String... parts) {
        List<String> out = new ArrayList<>();
        for (String p : parts) {
            out.addAll(List.of(p.split(" ")));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"snapshot", "snapshots", "prune", "targets", "sources", "status", "replicate", "unmount",
            "verify", "mount --target dr1 --snapshot hourly-20260101-0000"})
    void bothOrdersReadTheSameFile(String command) {
        for (String option : List.of("--config", "-c")) {
            Path before = configOf(words(option + " " + FILE, command).toArray(String[]::new));
            Path after = configOf(words(command, option + " " + FILE).toArray(String[]::new));
            assertEquals(FILE, before, option + " before " + command);
            assertEquals(FILE, after, option + " after " + command);
        }
        assertEquals(FILE, configOf(words("--config=" + FILE, command).toArray(String[]::new)));
        assertEquals(ConfigOption.DEFAULT, configOf(words(command).toArray(String[]::new)), "neither: the default");
    }

    @Test
    void theCommandsOwnOptionWinsOverTheGlobalOne() {
        assertEquals(Path.of("/b.yaml"), configOf("-c", "/a.yaml", "snapshots", "-c", "/b.yaml"));
    }

    /** Whether the innermost command of {@code args} would print JSON, after the top-level option is applied. */
    private static boolean jsonOf(String... args) {
        ParseResult r = Main.commandLine().parseArgs(args);
        GlobalJson.apply(r);
        while (r.subcommand() != null) {
            r = r.subcommand();
        }
        return r.commandSpec().findOption("--json").getValue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"snapshot", "snapshots", "prune", "targets", "sources", "replicate", "verify", "pull --source mbox1"})
    void jsonBeforeOrAfterTheCommand(String command) {
        assertEquals(true, jsonOf(words("--json", command).toArray(String[]::new)), "--json " + command);
        assertEquals(true, jsonOf(words(command, "--json").toArray(String[]::new)), command + " --json");
        assertEquals(false, jsonOf(words(command).toArray(String[]::new)), command);
        assertEquals(true, jsonOf(words("-c /a.yaml --json", command).toArray(String[]::new)));
    }

    @Test
    void jsonBeforeACommandWithoutJsonIsAUsageError() {
        ParseResult r = Main.commandLine().parseArgs("--json", "unmount");
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class, () -> GlobalJson.apply(r));
        assertTrue(e.getMessage().contains("'zmsnap unmount' has no JSON output"), e.getMessage());
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(Main.USAGE, cl.execute("--json", "unmount"));
        assertTrue(err.toString().contains("has no JSON output") && err.toString().contains("zmsnap unmount --help"), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"grant", "handback", "revoke"})
    void aNestedCommandSeesTheTopLevelOptionAndItsParents(String nested) {
        assertEquals(FILE, configOf("-c", FILE.toString(), "failback", nested, "--source", "mbox1"));
        assertEquals(FILE, configOf("failback", "-c", FILE.toString(), nested, "--source", "mbox1"));
        assertEquals(FILE, configOf("failback", nested, "--source", "mbox1", "-c", FILE.toString()));
        assertEquals(Path.of("/b.yaml"), configOf("-c", "/a.yaml", "failback", "-c", "/b.yaml", nested, "--source", "x"),
                "the nearest given wins");
    }
}
