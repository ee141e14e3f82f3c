package org.zmsnap.failback;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PathUsersTest {
    @TempDir
    Path proc;

    private void process(String pid, String comm, String cwd, String... fds) throws Exception {
        Path p = Files.createDirectories(proc.resolve(pid));
        Files.writeString(p.resolve("comm"), comm + "\n");
        Files.createSymbolicLink(p.resolve("cwd"), Path.of(cwd));
        Files.createSymbolicLink(p.resolve("root"), Path.of("/"));
        Path fd = Files.createDirectories(p.resolve("fd"));
        for (int i = 0; i < fds.length; i++) {
            Files.createSymbolicLink(fd.resolve(Integer.toString(i)), Path.of(fds[i]));
        }
    }

    @Test
    void aProcessWithItsDirectoryOrAnOpenFileBelowAPathUsesIt() throws Exception {
        process("100", "mariadbd", "/", "/dev/null", "/opt/zimbra/db/data/ibdata1");
        process("200", "bash", "/opt/zimbra/store/0");
        process("300", "sshd", "/", "/var/log/auth.log", "socket:[1234]");
        process("400", "other", "/opt/zimbra/dbx"); // a sibling path with the same prefix is not below it
        Files.createDirectories(proc.resolve("self-not-a-pid"));
        assertEquals(List.of("100 (mariadbd)", "200 (bash)"),
                new PathUsers(proc).of(List.of(Path.of("/opt/zimbra/db"), Path.of("/opt/zimbra/store"))));
        assertEquals(List.of(), new PathUsers(proc).of(List.of(Path.of("/srv"))));
    }
}
