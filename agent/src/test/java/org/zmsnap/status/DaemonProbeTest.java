package org.zmsnap.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.zmsnap.metrics.Metrics;
import org.zmsnap.replication.TransferProgress;
import org.zmsnap.zfs.DatasetName;

class DaemonProbeTest {
    @Test
    void theRunningLinksAreReadFromTheDaemonsOwnScrape() {
        // The real exposition, not a hand-written one: what Metrics registers is what status reads.
        try (Metrics m = new Metrics("mbox1", Duration.ofSeconds(2), Map.of())) {
            m.target("dr1");
            m.target("dr2");
            m.source("other", Duration.ofHours(1));
            TransferProgress p = m.targetProgress("dr1");
            p.started(DatasetName.of("b/zimbra/db"), "full @a", OptionalLong.empty());
            p.started(DatasetName.of("b/zimbra/store"), "full @a", OptionalLong.empty());
            p.moved(DatasetName.of("b/zimbra/store"), 123_456_789L);
            m.sourceProgress("other").started(DatasetName.of("c/zimbra/db"), "-i @a → @b", OptionalLong.empty());
            assertEquals(Map.of("target:dr1", new DaemonProbe.Running(2, 123_456_789L), "source:other", new DaemonProbe.Running(1, 0)),
                    DaemonProbe.parseRunning(m.scrape()), "dr2 runs nothing and is left out");
        }
    }
}
