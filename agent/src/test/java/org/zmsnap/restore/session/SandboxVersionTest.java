package org.zmsnap.restore.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SandboxVersionTest {
    private static final Path BIN = Path.of("/usr/sbin/mariadbd");
    private static final String DEBIAN12 = "/usr/sbin/mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)";

    @Test
    void anotherSeriesIsNamedWithTheFix() {
        String h = SandboxVersion.hint(Optional.of("10.5.23-MariaDB-0+deb11u1 id 1"), Optional.of(DEBIAN12), BIN).orElseThrow();
        assertTrue(h.contains("written by MariaDB 10.5.23") && h.contains("(/usr/sbin/mariadbd) is 10.11.19")
                && h.contains("a 10.5 server") && h.contains("/opt/zimbra/common/sbin/mariadbd"), h);
    }

    @Test
    void theSameSeriesOrAnUnknownVersionAddsNothing() {
        assertEquals(Optional.empty(), SandboxVersion.hint(Optional.of("10.11.6-MariaDB id 1"), Optional.of(DEBIAN12), BIN));
        assertEquals(Optional.empty(), SandboxVersion.hint(Optional.empty(), Optional.of(DEBIAN12), BIN));
        assertEquals(Optional.empty(), SandboxVersion.hint(Optional.of("10.5.23 id 1"), Optional.of("garbage"), BIN));
    }
}
