package org.zmsnap.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LocalCommandRunnerTest {
    private final LocalCommandRunner runner = new LocalCommandRunner();

    @Test
    void argumentsAreNotInterpretedByAShell() {
        CommandResult r = runner.run(Command.of(Duration.ofSeconds(10), "echo", "$(id)", "a b", "*"));
        assertEquals("$(id) a b *\n", r.stdout());
        assertEquals(0, r.exitCode());
    }

    @Test
    void nonZeroExitIsAResultWithStderr() {
        CommandResult r = runner.run(Command.of(Duration.ofSeconds(10), "ls", "/nonexistent-zmsnap"));
        assertTrue(r.exitCode() != 0);
        assertTrue(r.stderr().contains("nonexistent-zmsnap"));
        CommandFailedException e = assertThrows(CommandFailedException.class, r::orThrow);
        assertTrue(e.getMessage().contains("nonexistent-zmsnap"));
    }

    @Test
    void timeoutKillsTheWholeTreeAndReturnsPromptly() {
        long t = System.nanoTime();
        // bash -c here is the test's own hanging child with a grandchild, not how zmsnap runs commands.
        assertThrows(CommandTimeoutException.class,
                () -> runner.run(Command.of(Duration.ofMillis(300), "bash", "-c", "sleep 30 & sleep 30")));
        long ms = (System.nanoTime() - t) / 1_000_000;
        assertTrue(ms < 5_000, "returned after " + ms + " ms");
    }

    @Test
    void missingProgramIsAStartError() {
        assertThrows(CommandStartException.class, () -> runner.run(Command.of(Duration.ofSeconds(5), "/nonexistent/zfs")));
    }
}
