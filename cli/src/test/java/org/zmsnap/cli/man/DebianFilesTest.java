package org.zmsnap.cli.man;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Debian package's generated files: read back by gzip(1), bash(1) and against the tree's own unit. */
class DebianFilesTest {
    @Test
    void aSnapshotVersionSortsBeforeItsRelease() {
        assertEquals("0.1.0~snapshot", DebianFiles.debianVersion("0.1.0-SNAPSHOT"));
        assertEquals("0.1.0", DebianFiles.debianVersion("0.1.0"));
    }

    @Test
    void gzipWritesWhatGzipReadsWithTheMaximumCompressionFlagAndNoTime(@TempDir Path dir) throws Exception {
        byte[] text = "zmsnap(8)\n".repeat(500).getBytes(StandardCharsets.UTF_8);
        byte[] gz = DebianFiles.gzip(text);
        assertEquals(2, gz[8], "XFL: maximum compression (lintian's *-not-compressed-with-max-compression)");
        assertArrayEquals(new byte[4], java.util.Arrays.copyOfRange(gz, 4, 8), "no time stamp, as gzip -n");
        Path file = Files.write(dir.resolve("page.gz"), gz);
        Process gunzip = new ProcessBuilder("gzip", "-dc", file.toString()).redirectErrorStream(true).start();
        byte[] back = gunzip.getInputStream().readAllBytes();
        assertTrue(gunzip.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, gunzip.exitValue(), new String(back, StandardCharsets.UTF_8));
        assertArrayEquals(text, back);
    }

    @Test
    void theUnitRunsThePackagesZmsnapdAndPointsAtItsDocs() throws IOException {
        String unit = DebianFiles.unit(Files.readString(Path.of("..", "systemd", "zmsnapd.service")));
        assertTrue(unit.lines().anyMatch(l -> l.startsWith("ExecStart=/usr/sbin/zmsnapd --config /etc/zmsnap/zmsnap.yaml")), unit);
        assertTrue(unit.lines().anyMatch(l -> l.equals("Documentation=file:/usr/share/doc/zmsnap/daemon.md")), unit);
        assertFalse(unit.contains("/opt/zmsnap"), unit);
    }

    @Test
    void aUnitWithoutTheExecStartToRewriteIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DebianFiles.unit("[Service]\nExecStart=/usr/local/bin/zmsnapd\n"));
        assertTrue(e.getMessage().contains("ExecStart"), e.getMessage());
    }

    @Test
    void theCompletionIsASourcedFileThatBashParses(@TempDir Path dir) throws Exception {
        String completion = DebianFiles.completion();
        assertFalse(completion.startsWith("#!"), "sourced, not run: no #! line");
        assertTrue(completion.contains("complete -F"), "registers the completion function");
        Path file = Files.writeString(dir.resolve("zmsnap"), completion);
        Process bash = new ProcessBuilder("bash", "-n", file.toString()).redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(bash.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, bash.exitValue(), out);
    }
}
