package org.zmsnap.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SdNotifyTest {
    @Test
    void messagesArriveOnTheDatagramSocket(@TempDir Path dir) throws Exception {
        try (NotifySocket socket = new NotifySocket(dir.resolve("notify.sock"))) {
            SdNotify n = SdNotify.to(socket.path().toString());
            assertTrue(n.enabled());
            n.ready("scheduling [hourly]");
            n.watchdog();
            n.stopping();
            assertTrue(socket.await("STOPPING=1", Duration.ofSeconds(5)));
            assertEquals(3, socket.messages().size());
            assertEquals("READY=1\nSTATUS=scheduling [hourly]", socket.messages().get(0));
            assertEquals("WATCHDOG=1", socket.messages().get(1));
        }
    }

    @Test
    void abstractSocketNamesStartWithNul() {
        SdNotify.Address a = SdNotify.address("@/org/freedesktop/systemd1/notify");
        assertEquals(0, a.memory().getByte(2));
        assertEquals(2 + "@/org/freedesktop/systemd1/notify".length(), a.length());
        SdNotify.Address p = SdNotify.address("/run/systemd/notify");
        assertEquals('/', p.memory().getByte(2));
        assertEquals(2 + "/run/systemd/notify".length() + 1, p.length());
    }

    @Test
    void withoutNotifySocketNothingIsSent() {
        assertFalse(SdNotify.to("/nonexistent/zmsnap-notify.sock").send("READY=1"));
    }
}
