package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.cli.man.DebianFiles;
import org.zmsnap.cli.man.ManPages;
import org.zmsnap.config.ConfigLoader;
import picocli.CommandLine;

/** {@code zmsnap cds-training}: loads classes for the launchers' class-data archive, and does nothing else. */
class CdsTrainingCommandTest {
    @TempDir
    Path dir;

    /**
     * As the launchers run it, in its own JVM, in an empty directory with an empty home and temporary directory and a
     * configuration path that does not exist: it prints nothing, exits 0, and leaves every directory as it was.
     */
    @Test
    void itPrintsNothingAndWritesNothing() throws IOException, InterruptedException {
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        Path home = Files.createDirectories(dir.resolve("home"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Djava.io.tmpdir=" + tmp, "-Duser.home=" + home,
                Main.class.getName(), "--config", dir.resolve("absent.yaml").toString(), CdsTrainingCommand.NAME)
                .directory(cwd.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("HOME", home.toString());
        pb.environment().put("TMPDIR", tmp.toString());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "cds-training did not finish");
        assertEquals("", Files.readString(err, StandardCharsets.UTF_8), "stderr");
        assertEquals("", Files.readString(out, StandardCharsets.UTF_8), "stdout");
        assertEquals(Main.OK, p.exitValue());
        for (Path d : List.of(cwd, home, tmp)) {
            try (Stream<Path> files = Files.list(d)) {
                assertEquals(List.of(), files.toList(), d + " after cds-training");
            }
        }
        assertFalse(Files.exists(dir.resolve("absent.yaml")));
    }

    @Test
    void itListsTheClassesOfTheJarOrDirectoryTheyCameFrom() {
        List<String> cli = CdsTrainingCommand.classNames(CdsTrainingCommand.class);
        List<String> agent = CdsTrainingCommand.classNames(ConfigLoader.class);
        assertTrue(cli.contains(Main.class.getName()) && cli.contains(CdsTrainingCommand.class.getName()), "cli: " + cli.size());
        assertTrue(agent.contains(ConfigLoader.class.getName()), "agent: " + agent.size());
        assertTrue(Stream.concat(cli.stream(), agent.stream()).allMatch(n -> n.startsWith("org.zmsnap.")), "only zmsnap's classes");
    }

    /** A launchers' command: not in the help, the completion or the man page. */
    @Test
    void itIsHidden() throws IOException {
        CommandLine cl = Main.commandLine();
        StringWriter help = new StringWriter();
        cl.setOut(new PrintWriter(help));
        assertEquals(Main.OK, cl.execute("--help"));
        assertFalse(help.toString().contains(CdsTrainingCommand.NAME), help.toString());
        assertFalse(DebianFiles.completion().contains(CdsTrainingCommand.NAME), "completion");
        String page = ManPages.render(Files.readString(Path.of("..", "docs", "configuration.md")), "1.2.3", "2026-12-01").get("zmsnap.8");
        assertFalse(page.contains(CdsTrainingCommand.NAME), "zmsnap.8");
    }
}
