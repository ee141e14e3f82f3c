package org.zmsnap.restore.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreSessionOwnerTest {
    private static final long SELF = ProcessHandle.current().pid();

    private static RestoreSession ownedBy(long pid, long started) {
        return new RestoreSession("abcd", "zmsnap_hourly_2026-11-22T11:00:00Z", pid, started, 0, List.of(), Map.of(),
                Path.of("/x/data"), "local");
    }

    @Test
    void theOwnerIsThePidStartedWhenTheSessionWasOpened() {
        long started = RestoreSession.startOf(SELF);
        assertTrue(started > 0);
        assertTrue(ownedBy(SELF, started).ownerRunning());
        assertFalse(ownedBy(SELF, started - 60_000).ownerRunning(), "the same pid, another process (reused after a reboot)");
        assertTrue(ownedBy(SELF, 0).ownerRunning(), "a file from before the start time was recorded: the pid alone");
        assertFalse(ownedBy(0, 0).ownerRunning(), "kept by mount: no owner");
        assertFalse(ownedBy(Integer.MAX_VALUE, 0).ownerRunning(), "gone");
    }

    @Test
    void theStartTimeIsKeptInTheSessionFile(@TempDir Path dir) {
        RestoreSession s = ownedBy(SELF, 0).withOwner(SELF);
        assertEquals(RestoreSession.startOf(SELF), s.ownerStarted());
        s.save(dir);
        assertEquals(s, RestoreSession.load(dir));
        assertEquals(0, s.withOwner(0).ownerStarted(), "mount hands the session to nobody");
    }
}
