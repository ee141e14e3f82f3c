package org.zmsnap.mariadb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaisedFlushSettingTest {
    private final RaisedFlushSetting record = new RaisedFlushSetting(0, 7, 1_000_000);

    @Test
    void itAppliesOnlyToTheSameServerStillAtTheRaisedValue() {
        assertTrue(record.stillRaisedOn(1, 7, 1_000_000));
        assertTrue(record.stillRaisedOn(1, 7, 1_000_002), "uptime read a second boundary or two later");
        assertFalse(record.stillRaisedOn(0, 7, 1_000_000), "already put back, or changed by someone");
        assertFalse(record.stillRaisedOn(2, 7, 1_000_000), "changed by someone since");
        assertFalse(record.stillRaisedOn(1, 8, 1_000_000), "another server");
        assertFalse(record.stillRaisedOn(1, 7, 1_000_600), "restarted since: its setting came from its configuration");
        assertFalse(new RaisedFlushSetting(1, 7, 1_000_000).stillRaisedOn(1, 7, 1_000_000), "nothing was raised");
    }

    @Test
    void itRoundTripsThroughItsFileNextToTheLock(@TempDir Path dir) throws Exception {
        Path file = RaisedFlushSetting.fileFor(dir.resolve("cycle.lock"));
        assertEquals(dir.resolve("cycle.lock.flush-setting"), file);
        assertEquals(Optional.empty(), RaisedFlushSetting.read(file));
        record.save(file);
        assertEquals(Optional.of(record), RaisedFlushSetting.parse(RaisedFlushSetting.read(file).orElseThrow()));
    }

    @Test
    void aDamagedRecordIsNoRecord() {
        assertEquals(Optional.empty(), RaisedFlushSetting.parse(""));
        assertEquals(Optional.empty(), RaisedFlushSetting.parse("original=0 server_id=7"));
        assertEquals(Optional.empty(), RaisedFlushSetting.parse("original=x server_id=7 server_started=1"));
        assertEquals(Optional.empty(), RaisedFlushSetting.parse("original=0 server_id=7 server_started=1 extra=1"));
    }
}
