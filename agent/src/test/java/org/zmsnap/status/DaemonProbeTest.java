package org.zmsnap.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.zmsnap.config.MetricsConfig;
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

    @Test
    void aBusyDaemonThatAnswersLateIsHealthyAndOneThatIsNotRunningIsUnreachable() throws Exception {
        HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slow.createContext("/healthz", x -> {
            try {
                Thread.sleep(1500); // a daemon busy with a cycle, a send and a drill
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        slow.start();
        try {
            MetricsConfig busy = new MetricsConfig(true, slow.getAddress());
            assertInstanceOf(DaemonProbe.Answer.Healthy.class, DaemonProbe.ask(busy, Duration.ofSeconds(3), Duration.ofSeconds(10)));
            assertInstanceOf(DaemonProbe.Answer.Unreachable.class, DaemonProbe.ask(busy, Duration.ofSeconds(3), Duration.ofMillis(300)),
                    "an answer later than its timeout is no answer");
        } finally {
            slow.stop(0);
        }
        int free;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            free = s.getLocalPort();
        }
        assertInstanceOf(DaemonProbe.Answer.Unreachable.class,
                DaemonProbe.ask(new MetricsConfig(true, new InetSocketAddress("127.0.0.1", free)), Duration.ofSeconds(3), Duration.ofSeconds(10)));
    }
}
