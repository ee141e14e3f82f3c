package org.zmsnap.drhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.zmsnap.replication.SendOnlyPolicy;
import org.zmsnap.replication.ServeDecision;
import org.zmsnap.zfs.DatasetName;

/** The hold a pull places on the mailbox host must be one 'serve --send-only' there accepts, whatever this host is called. */
class SourceJobsTest {
    @Test
    void holdNamesAreWhatSendOnlyServeAccepts() {
        assertEquals("dr1", SourceJobs.holdName("dr1"));
        assertTrue(SourceJobs.holdName("DR1.Example.com").startsWith("dr1-example-com-"));
        assertTrue(SourceJobs.holdName("10.0.0.7").startsWith("dr-10-0-0-7-"));
        assertEquals(62, SourceJobs.holdName("a".repeat(100)).length());
        // Names that differ only in case or punctuation keep tags of their own.
        assertTrue(!SourceJobs.holdName("dr1.example.com").equals(SourceJobs.holdName("dr1-example.com")));
        assertTrue(!SourceJobs.holdName("DR1").equals(SourceJobs.holdName("dr1")));
        SendOnlyPolicy policy = new SendOnlyPolicy(DatasetName.of("tank/zimbra"));
        for (String host : new String[] {"dr1", "DR1.Example.com", "10.0.0.7", "backup_host", "a".repeat(100)}) {
            ServeDecision d = policy.check("zfs hold zmsnap:" + SourceJobs.holdName(host) + " tank/zimbra/db@zmsnap_hourly_2026-11-22T10:00:00Z");
            assertTrue(d instanceof ServeDecision.Run, host + ": " + d);
        }
    }
}
