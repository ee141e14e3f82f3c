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

    @Test
    void theQuickPathGivesTheSameResultsAsRun() {
        CommandResult r = runner.runQuick(Command.of(Duration.ofSeconds(10), "echo", "$(id)", "a b", "*"));
        assertEquals("$(id) a b *\n", r.stdout());
        assertEquals(0, r.exitCode());
        CommandResult failed = runner.runQuick(Command.of(Duration.ofSeconds(10), "ls", "/nonexistent-zmsnap"));
        assertTrue(failed.exitCode() != 0);
        assertTrue(failed.stderr().contains("nonexistent-zmsnap"), failed.stderr());
        assertEquals("", failed.stdout());
        assertEquals("C\n", runner.runQuick(Command.of(Duration.ofSeconds(10), "printenv", "LC_ALL")).stdout(),
                "the runner's environment applies");
        assertThrows(CommandStartException.class, () -> runner.runQuick(Command.of(Duration.ofSeconds(5), "/nonexistent/zfs")));
    }

    @Test
    void theQuickPathKillsTheWholeTreeOnTimeoutAndReturnsPromptly() throws Exception {
        java.nio.file.Path marker = java.nio.file.Files.createTempFile("zmsnap-quick-", ".pid");
        long t = System.nanoTime();
        // bash -c here is the test's own hanging child with a grandchild, not how zmsnap runs commands.
        assertThrows(CommandTimeoutException.class, () -> runner.runQuick(Command.of(Duration.ofMillis(300),
                "bash", "-c", "sleep 30 & echo $! > " + marker + "; sleep 30")));
        long ms = (System.nanoTime() - t) / 1_000_000;
        assertTrue(ms < 5_000, "returned after " + ms + " ms");
        long grandchild = Long.parseLong(java.nio.file.Files.readString(marker).strip());
        java.nio.file.Files.delete(marker);
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (running(grandchild) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(!running(grandchild), "the grandchild was killed too");
    }

    /** Running, not merely unreaped: a killed orphan may stay a zombie where PID 1 does not reap. */
    private static boolean running(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (java.io.IOException gone) {
            return false;
        }
    }
}
