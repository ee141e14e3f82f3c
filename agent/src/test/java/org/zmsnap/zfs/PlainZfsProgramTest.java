package org.zmsnap.zfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which zfs programs count as the installed one, and a wrapper script installed under its name. */
class PlainZfsProgramTest {
    @TempDir
    Path dir;

    Path program(String sub, byte[] content) throws Exception {
        Path d = Files.createDirectories(dir.resolve(sub));
        Path p = d.resolve("zfs");
        Files.write(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    static final byte[] ELF = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
    static final byte[] SCRIPT = "#!/bin/sh\nlogger zfs \"$@\"\nexec /usr/sbin/zfs \"$@\"\n".getBytes();

    @Test
    void theUsualNamesArePlainAndAnyOtherIsAWrapper() {
        assertTrue(PlainZfsProgram.named("zfs"));
        assertTrue(PlainZfsProgram.named("/usr/sbin/zfs"));
        assertFalse(PlainZfsProgram.named("/opt/site/bin/zfs"));
        assertFalse(PlainZfsProgram.named("zfs-audit"));
    }

    @Test
    void aScriptFirstOnPathIsTheSitesWrapperAndABinaryIsNot() throws Exception {
        Path wrapper = program("local-sbin", SCRIPT);
        program("sbin", ELF);
        String path = dir.resolve("empty") + ":" + dir.resolve("local-sbin") + ":" + dir.resolve("sbin");

        Optional<String> why = PlainZfsProgram.script("zfs", path);
        assertTrue(why.isPresent());
        assertTrue(why.get().startsWith(wrapper + " is a script, taken for a site's wrapper"), why.get());

        assertEquals(Optional.empty(), PlainZfsProgram.script("zfs", dir.resolve("sbin") + ":" + dir.resolve("local-sbin")),
                "the binary comes first on this PATH");
    }

    @Test
    void aNamedPathIsReadThroughItsSymlinkAndAMissingProgramIsLeftToZfsVersion() throws Exception {
        Path real = program("sbin", SCRIPT);
        Path link = Files.createSymbolicLink(dir.resolve("zfs-link"), real);
        assertTrue(PlainZfsProgram.script(link.toString(), null).isPresent(), "a symlink to a script is a script");
        assertEquals(Optional.empty(), PlainZfsProgram.script(program("bin", ELF).toString(), null));
        assertEquals(Optional.empty(), PlainZfsProgram.script("zfs", dir.resolve("nowhere").toString()));
        assertEquals(Optional.empty(), PlainZfsProgram.script("zfs", null));
    }
}
