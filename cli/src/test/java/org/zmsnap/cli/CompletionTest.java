package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CompletionTest {
    @Test
    void theScriptCompletesEveryCommandAndItsOptions() {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertEquals(Main.OK, cl.execute("completion"));
        String script = out.toString();
        assertTrue(script.contains("complete -F _complete_zmsnap") , script.substring(0, Math.min(400, script.length())));
        cl.getSubcommands().forEach((name, sub) -> {
            // Hidden ones (cds-training, the launchers') are not offered.
            assertEquals(!sub.getCommandSpec().usageMessage().hidden(), script.contains(name), "command " + name);
        });
        // Options of a nested command, from the same model that parses them.
        assertTrue(script.contains("--all-accounts") && script.contains("--has-attachment") && script.contains("--salvage-dir"), "options");
    }
}
