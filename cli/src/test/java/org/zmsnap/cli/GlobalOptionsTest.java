package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

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
    @ValueSource(strings = {"snapshot", "snapshots", "prune", "targets", "sources", "replicate", "unmount",
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
