package org.zmsnap.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.zmsnap.replication.TransferProgress;
import org.zmsnap.zfs.DatasetName;

class MetricsTest {
    private static final DatasetName DB = DatasetName.of("backup/mbox1/zimbra/db");
    private static final DatasetName STORE = DatasetName.of("backup/mbox1/zimbra/store");

    @Test
    void transferBytesGrowAsStreamsMoveAndStreamsCountTheRunningOnes() {
        try (Metrics m = new Metrics("mbox1", Duration.ofSeconds(2), Map.of())) {
            m.target("dr1");
            TransferProgress p = m.targetProgress("dr1");
            p.started(DB, "full @a", OptionalLong.empty());
            p.started(STORE, "full @a", OptionalLong.empty());
            p.moved(DB, 1000);
            p.moved(STORE, 5000);
            p.moved(STORE, 7000);
            String mid = m.scrape();
            assertTrue(mid.contains("zmsnap_replication_transfer_bytes_total{host=\"mbox1\",target=\"dr1\"} 8000.0"), mid);
            assertTrue(mid.contains("zmsnap_replication_transfer_streams{host=\"mbox1\",target=\"dr1\"} 2.0"), mid);
            assertTrue(mid.contains("zmsnap_replication_transfer_running_bytes{host=\"mbox1\",target=\"dr1\"} 8000.0"), mid);
            p.finished(DB, 1500, true);
            p.finished(STORE, 9000, false);
            p.finished(STORE, 9000, false); // told twice: counted once
            String end = m.scrape();
            assertTrue(end.contains("zmsnap_replication_transfer_bytes_total{host=\"mbox1\",target=\"dr1\"} 10500.0"), end);
            assertTrue(end.contains("zmsnap_replication_transfer_streams{host=\"mbox1\",target=\"dr1\"} 0.0"), end);
            assertTrue(end.contains("zmsnap_replication_transfer_running_bytes{host=\"mbox1\",target=\"dr1\"} 0.0"), end);
        }
    }

    @Test
    void aDrHostsSourcesHaveTheSamePairLabelledSource() {
        try (Metrics m = new Metrics("dr", Duration.ofSeconds(2), Map.of())) {
            m.source("mbox1", Duration.ofHours(2));
            String s = m.scrape();
            assertTrue(s.contains("zmsnap_source_transfer_bytes_total{host=\"dr\",source=\"mbox1\"} 0.0"), s);
            assertTrue(s.contains("zmsnap_source_transfer_streams{host=\"dr\",source=\"mbox1\"} 0.0"), s);
        }
    }
}
