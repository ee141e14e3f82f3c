package org.zmsnap.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SetGuardTest {
    @Test
    void theHolderIsNamedByItsZmsnapWords() {
        assertEquals("zmsnap verify -c /etc/zmsnap/dr.yaml --source mbox1 --snapshot latest", SetGuard.command(List.of("-cp", "/opt/zmsnap/lib/*",
                "-Dzmsnap.log.level=WARN", "org.zmsnap.cli.Main", "verify", "-c", "/etc/zmsnap/dr.yaml", "--source", "mbox1", "--snapshot", "latest")));
        assertEquals("zmsnap restore item -c x.yaml --account a@b --item 300", SetGuard.command(List.of("org.zmsnap.cli.Main", "restore", "item", "-c", "x.yaml", "--account", "a@b", "--item", "300",
                "--to-dir", "/tmp/out")));
        assertEquals("zmsnapd, a restore drill", SetGuard.command(List.of("-cp", "x", "org.zmsnap.daemon.Zmsnapd", "-c", "/etc/zmsnap.yaml")));
    }
}
