package org.zmsnap.promote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.zfs.DatasetName;

/** mountinfo parsing, path states, and the process scan for running receives. */
class MountTableTest {
    @TempDir
    Path dir;

    @Test
    void mountinfoWithEscapedPathsAndOptionalFields() {
        MountTable t = MountTable.parse("""
                22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
                57 27 0:51 / /tmp/zmsnap\\040x/live rw,relatime - fuse.zfs zdr1/mbox1/zimbra/db rw,user_id=0
                58 27 0:52 / /opt/zimbra/store rw,relatime shared:5 master:2 - zfs tank/zimbra/store rw
                """);
        assertEquals(Optional.of("zdr1/mbox1/zimbra/db"), t.sourceAt(Path.of("/tmp/zmsnap x/live")));
        assertEquals(Optional.of("tank/zimbra/store"), t.sourceAt(Path.of("/opt/zimbra/store")));
        assertEquals(Optional.of("/dev/vda1"), t.sourceAt(Path.of("/")));
        assertFalse(t.sourceAt(Path.of("/opt/zimbra")).isPresent());
        assertTrue(MountTable.read().sourceAt(Path.of("/")).isPresent(), "this machine's own table parses");
    }

    @Test
    void pathStates() throws Exception {
        assertEquals(PathState.ABSENT, PathState.of(dir.resolve("nope")));
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertEquals(PathState.EMPTY_DIRECTORY, PathState.of(empty));
        Path full = Files.createDirectory(dir.resolve("full"));
        Files.writeString(full.resolve("ibdata1"), "x");
        assertEquals(PathState.NON_EMPTY_DIRECTORY, PathState.of(full));
        assertEquals(PathState.NOT_A_DIRECTORY, PathState.of(full.resolve("ibdata1")));
    }

    @Test
    void receivesIntoTheRootAreFoundWhateverTheirPrefix() throws Exception {
        DatasetName root = DatasetName.of("backup/mbox1");
        java.util.Set<String> zfs = java.util.Set.of("zfs", "zfs-wrapper");
        assertTrue(RunningReceives.receivesInto(List.of("zfs", "receive", "-u", "backup/mbox1/zimbra/db"), root, zfs));
        assertTrue(RunningReceives.receivesInto(List.of("/usr/sbin/zfs", "recv", "-s", "-u", "backup/mbox1/zimbra/db@x"), root, zfs));
        assertTrue(RunningReceives.receivesInto(List.of("timeout", "-s", "KILL", "60s", "zfs", "receive", "-A", "backup/mbox1"), root, zfs));
        assertFalse(RunningReceives.receivesInto(List.of("zfs", "receive", "-u", "backup/mbox10/zimbra/db"), root, zfs), "another source");
        assertFalse(RunningReceives.receivesInto(List.of("zfs", "send", "backup/mbox1/zimbra/db@x"), root, zfs));
        assertFalse(RunningReceives.receivesInto(List.of("vim", "receive", "backup/mbox1"), root, zfs));
        assertTrue(RunningReceives.receivesInto(List.of("/usr/local/sbin/zfs-wrapper", "receive", "-u", "backup/mbox1/x"), root, zfs),
                "the configured zfs command");

        Path proc = Files.createDirectory(dir.resolve("proc"));
        Files.createDirectories(proc.resolve("17"));
        Files.write(proc.resolve("17/cmdline"), "zfs\0receive\0-u\0backup/mbox1/zimbra/store\0".getBytes());
        Files.createDirectories(proc.resolve("18"));
        Files.write(proc.resolve("18/cmdline"), "sleep\0100\0".getBytes());
        Files.createDirectories(proc.resolve("self"));
        assertEquals(List.of("pid 17: zfs receive -u backup/mbox1/zimbra/store"), new RunningReceives(proc, "zfs").into(root));
        assertTrue(new RunningReceives().into(root).isEmpty(), "nothing receives into it on this machine");
    }
}
