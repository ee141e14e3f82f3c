package org.zmsnap.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code zmsnap} as its own process, as an admin would, with this test's classpath. */
final class CliRun {
    private CliRun() {}

    record Result(int exit, String out, String err) {}

    static Process start(Path log, String... args) {
        return start(log, List.of(), args);
    }

    /** With extra JVM options, e.g. {@code -Dlogback.configurationFile=logback.xml} for the production logging. */
    static Process start(Path log, List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dzmsnap.log.level=WARN"));
        cmd.addAll(jvmOptions);
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(false)
                    .redirectOutput(log.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(log.resolveSibling(log.getFileName() + ".err").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Result run(Path dir, String... args) {
        return run(dir, List.of(), args);
    }

    static Result run(Path dir, List<String> jvmOptions, String... args) {
        try {
            Path log = java.nio.file.Files.createTempFile(dir, "cli", ".out");
            Process p = start(log, jvmOptions, args);
            if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                // Where it hangs is the whole point of the failure: keep its threads.
                String dump = org.zmsnap.fixtures.Proc.run(java.time.Duration.ofSeconds(30),
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(p.pid()), "Thread.print").stdout();
                p.destroyForcibly();
                throw new IllegalStateException("zmsnap " + String.join(" ", args) + " did not finish; its threads:\n" + dump);
            }
            return new Result(p.exitValue(), java.nio.file.Files.readString(log, StandardCharsets.UTF_8),
                    java.nio.file.Files.readString(log.resolveSibling(log.getFileName() + ".err"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
