package org.zmsnap.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** zmsnapd's command line, parsed only: nothing starts. */
class ZmsnapdUsageTest {
    @Test
    void aUsageErrorIsTheErrorAndAPointerToHelpExitTwo() {
        CommandLine cl = Zmsnapd.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, cl.execute("--chek"));
        assertTrue(err.toString().startsWith("zmsnapd: Unknown option: '--chek'"), err.toString());
        assertTrue(err.toString().contains("See 'zmsnapd --help' for its options."), err.toString());
        assertFalse(err.toString().contains("Usage:"), err.toString());
    }

    @Test
    void everyOptionHasADescription() {
        Zmsnapd.commandLine().getCommandSpec().options().forEach(o ->
                assertFalse(String.join("", o.description()).isBlank(), o.longestName() + " has no description"));
    }
}
