package org.zmsnap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped example must stay valid: operators copy it. */
class ExampleConfigTest {
    @Test
    void shippedExampleParses(@TempDir Path dir) throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        String yaml = Files.readString(root.resolve("conf/zmsnap.yaml"));
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "x\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        Config c = ConfigLoader.parse(yaml.replace("/etc/zmsnap/mariadb.password", pw.toString()), Path.of("zmsnap.yaml"));
        assertEquals(4, c.datasets().size());
        assertEquals(5, c.policies().size());
        assertEquals(QuiesceMethod.AUTO, c.mariadb().quiesce());
    }

    @Test
    void shippedDrExampleParses(@TempDir Path dir) throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        Path key = Files.writeString(dir.resolve("id"), "k");
        Path known = Files.writeString(dir.resolve("kh"), "");
        String yaml = Files.readString(root.resolve("conf/zmsnap-dr.yaml"))
                .replace("/etc/zmsnap/id_ed25519", key.toString()).replace("/etc/zmsnap/known_hosts", known.toString());
        Config c = ConfigLoader.parse(yaml, Path.of("zmsnap-dr.yaml"));
        assertEquals(false, c.mailboxHost());
        assertEquals(4, c.source("mbox1").copies().size());
        assertEquals(true, c.source("mbox1").pull().isPresent());
    }
}
