package org.zmsnap.restore.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox keeps the clone's redo log size: whole MiB of at least 4 MiB, else mariadbd's default. */
class SandboxLogSizeTest {
    private static final long MIB = 1024L * 1024;

    @TempDir
    Path datadir;

    private void log(long size) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(datadir.resolve("ib_logfile0").toFile(), "rw")) {
            f.setLength(size); // sparse: no data written
        }
    }

    @Test
    void theClonesOwnSizeIsPassedOn() throws Exception {
        log(500 * MIB);
        assertEquals(Optional.of(500 * MIB), SandboxDatabase.logFileSize(datadir));
    }

    @Test
    void oddTinyOrMissingLogsLeaveTheDefault() throws Exception {
        assertEquals(Optional.empty(), SandboxDatabase.logFileSize(datadir));
        log(3 * MIB);
        assertEquals(Optional.empty(), SandboxDatabase.logFileSize(datadir));
        log(64 * MIB + 512);
        assertEquals(Optional.empty(), SandboxDatabase.logFileSize(datadir));
    }
}
