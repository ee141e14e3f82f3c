package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/zmsnap with a class-data sharing archive (ZMSNAP_CDS_ARCHIVE): a whole one is used, and one it cannot use —
 * missing, empty, garbage, truncated (on which Java 17 itself crashes), made for other jars — changes no byte of
 * stdout or stderr. bin/zmsnap-cds-archive writes whole archives, also when two run at once.
 */
class LauncherCdsIT {
    static final Path ROOT = Path.of(System.getProperty("zmsnap.project.root", "..")).toAbsolutePath().normalize();
    static final Path TARGET = ROOT.resolve("cli/target");
    static final String OPTS = "-Xss512k -XX:+UseSerialGC";

    @TempDir
    Path dir;

    record Run(int exit, byte[] out, byte[] err) {}

    private Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(args));
        Path out = Files.createTempFile(dir, "run", ".out");
        Path err = Files.createTempFile(dir, "run", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().remove("ZMSNAP_JAVA_OPTS");
        pb.environment().remove("SSH_ORIGINAL_COMMAND");
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
        Run r = new Run(p.exitValue(), Files.readAllBytes(out), Files.readAllBytes(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    private Run zmsnap(String archive, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/zmsnap").toString()));
        cmd.addAll(List.of(args));
        return run(Map.of("ZMSNAP_CDS_ARCHIVE", archive), cmd.toArray(String[]::new));
    }

    private Path archive(Path file, String classpath) throws IOException, InterruptedException {
        Run r = run(Map.of(), ROOT.resolve("bin/zmsnap-cds-archive").toString(), file.toString(), classpath, "-Xss512k", "-XX:+UseSerialGC");
        assertEquals(0, r.exit(), new String(r.out(), StandardCharsets.UTF_8) + new String(r.err(), StandardCharsets.UTF_8));
        assertEquals(0, r.out().length + r.err().length, "zmsnap-cds-archive prints nothing");
        return file;
    }

    private static String trailer(Path archive) throws IOException {
        byte[] all = Files.readAllBytes(archive);
        return new String(Arrays.copyOfRange(all, all.length - 32, all.length), StandardCharsets.US_ASCII);
    }

    private void assertSameOutput(Run expected, Run actual, String what) {
        assertEquals(expected.exit(), actual.exit(), what + ": exit");
        assertEquals(new String(expected.out(), StandardCharsets.UTF_8), new String(actual.out(), StandardCharsets.UTF_8), what + ": stdout");
        assertArrayEquals(expected.out(), actual.out(), what + ": stdout");
        assertArrayEquals(expected.err(), actual.err(), what + ": stderr");
    }

    @Test
    void anArchiveTheJvmCannotUseChangesNoByteOfTheOutput() throws IOException, InterruptedException {
        String classpath = TARGET.resolve("zmsnap-cli.jar") + ":" + TARGET.resolve("lib") + "/*";
        Path good = archive(dir.resolve("good.jsa"), classpath);
        assertEquals(String.format("zmsnap-cds-archive %012d%n", Files.size(good)), trailer(good));
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(good)));

        // The same jars elsewhere: an archive for other jars, as after an upgrade or a rebuild.
        Path copy = Files.createDirectories(dir.resolve("copy/lib"));
        Files.copy(TARGET.resolve("zmsnap-cli.jar"), copy.resolveSibling("zmsnap-cli.jar"));
        try (Stream<Path> jars = Files.list(TARGET.resolve("lib"))) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, copy.resolve(jar.getFileName()));
            }
        }
        Path otherJars = archive(dir.resolve("other-jars.jsa"), copy.resolveSibling("zmsnap-cli.jar") + ":" + copy + "/*");

        byte[] whole = Files.readAllBytes(good);
        Path truncated = Files.write(dir.resolve("truncated.jsa"), Arrays.copyOf(whole, whole.length / 2));
        Path empty = Files.write(dir.resolve("empty.jsa"), new byte[0]);
        byte[] noise = new byte[1 << 20];
        new java.util.Random(1).nextBytes(noise);
        Path garbage = Files.write(dir.resolve("garbage.jsa"), noise);
        // Garbage behind a right trailer: the JVM itself turns it down.
        Path garbageWithTrailer = Files.write(dir.resolve("garbage-trailer.jsa"), noise);
        Files.writeString(garbageWithTrailer, String.format("zmsnap-cds-archive %012d%n", noise.length + 32), java.nio.file.StandardOpenOption.APPEND);

        for (String[] args : List.of(new String[] {"--version"}, new String[] {"serve", "--root", "backup/mbox1"},
                new String[] {"--json", "status", "--config", dir.resolve("absent.yaml").toString()})) {
            Run none = zmsnap("", args);
            for (Path a : List.of(good, otherJars, truncated, empty, garbage, garbageWithTrailer, dir.resolve("missing.jsa"))) {
                assertSameOutput(none, zmsnap(a.toString(), args), "zmsnap " + String.join(" ", args) + " with " + a.getFileName());
            }
        }
        // ZMSNAP_CDS_ARCHIVE is read, never written; and no JVM crashed here (hs_err_pid*.log).
        assertArrayEquals(noise, Files.readAllBytes(garbage));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList());
        }
    }

    @Test
    void aWholeArchiveIsUsedAndTheOptionsStillApply() throws IOException, InterruptedException {
        Path good = archive(dir.resolve("good.jsa"), TARGET.resolve("zmsnap-cli.jar") + ":" + TARGET.resolve("lib") + "/*");
        Path log = dir.resolve("class-load.log");
        List<String> cmd = List.of(ROOT.resolve("bin/zmsnap").toString(), "--version");
        Run r = run(Map.of("ZMSNAP_CDS_ARCHIVE", good.toString(), "ZMSNAP_JAVA_OPTS", OPTS + " -Xlog:class+load=info:file=" + log), cmd.toArray(String[]::new));
        assertEquals(0, r.exit());
        String loaded = Files.readString(log);
        assertTrue(loaded.contains("org.zmsnap.cli.Main source: shared objects file (top)"), "Main from the archive");
    }

    @Test
    void twoCreatorsAtOnceLeaveOneWholeArchive() throws IOException, InterruptedException {
        String classpath = TARGET.resolve("zmsnap-cli.jar") + ":" + TARGET.resolve("lib") + "/*";
        Path target = dir.resolve("shared.jsa");
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ps.add(new ProcessBuilder(ROOT.resolve("bin/zmsnap-cds-archive").toString(), target.toString(), classpath, "-Xss512k", "-XX:+UseSerialGC")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start());
        }
        for (Process p : ps) {
            assertTrue(p.waitFor(180, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        }
        assertEquals(String.format("zmsnap-cds-archive %012d%n", Files.size(target)), trailer(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList(), "no temporary file left");
        }
        Run none = zmsnap("", "--version");
        assertSameOutput(none, zmsnap(target.toString(), "--version"), "the archive two creators wrote");
    }

    /**
     * The package's /usr/bin/zmsnap, run here against a stand-in java that prints its arguments: the archive is passed
     * only when whole, -Xlog:cds*=off always, before ZMSNAP_JAVA_OPTS (which still replaces the default options).
     */
    @Test
    void thePackagedLauncherPassesOnlyAWholeArchive() throws IOException, InterruptedException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
        java.toFile().setExecutable(true);
        Path good = archive(dir.resolve("good.jsa"), TARGET.resolve("zmsnap-cli.jar") + ":" + TARGET.resolve("lib") + "/*");
        byte[] whole = Files.readAllBytes(good);
        Path truncated = Files.write(dir.resolve("truncated.jsa"), Arrays.copyOf(whole, whole.length - 1000));
        String launcher = ROOT.resolve("packaging/debian/zmsnap").toString();
        String path = bin + ":" + System.getenv("PATH");
        Run r = run(Map.of("PATH", path, "ZMSNAP_CDS_ARCHIVE", good.toString()), "sh", launcher, "serve", "--root", "b/m");
        assertEquals(List.of("-XX:SharedArchiveFile=" + good, "-Xlog:cds*=off", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dzmsnap.log.level=WARN", "-cp", "/usr/share/zmsnap/lib/*", "org.zmsnap.cli.Main", "serve", "--root", "b/m"),
                List.of(new String(r.out(), StandardCharsets.UTF_8).split("\n")));
        for (String a : List.of(truncated.toString(), dir.resolve("missing.jsa").toString(), "")) {
            r = run(Map.of("PATH", path, "ZMSNAP_CDS_ARCHIVE", a, "ZMSNAP_JAVA_OPTS", "-Xmx64m"), "sh", launcher, "--version");
            assertEquals(List.of("-Xlog:cds*=off", "-Xmx64m", "-Dzmsnap.log.level=WARN", "-cp", "/usr/share/zmsnap/lib/*",
                    "org.zmsnap.cli.Main", "--version"), List.of(new String(r.out(), StandardCharsets.UTF_8).split("\n")), a);
            assertEquals("", new String(r.err(), StandardCharsets.UTF_8), a);
        }
    }
}
