package org.zmsnap.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RuntimeTest {
    /** The build stamps the version into version.properties beside the class; "unknown" means it was not found. */
    @Test
    void theVersionIsTheOneTheBuildStamped() {
        String version = Version.get();
        assertNotEquals("unknown", version);
        assertTrue(version.matches("\\d+\\.\\d+.*"), version);
    }

    @Test
    void helperThreadsAreNamedDaemons() {
        Thread t = DaemonThreads.named("zmsnap-test").newThread(() -> { });
        assertEquals("zmsnap-test", t.getName());
        assertTrue(t.isDaemon());
    }
}
