package org.zmsnap.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.zmsnap.replication.ReplicationOutcome;

/** The push and the pull record an outcome the same way; only their words, metrics and one log level differ. */
class TransferRecordTest {
    static final Instant AT = Instant.parse("2026-11-30T12:00:00Z");

    private final Logger log = (Logger) LoggerFactory.getLogger("zmsnap.test.TransferRecord");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final List<String> metric = new ArrayList<>();
    private final List<String> gauge = new ArrayList<>();

    @BeforeEach
    void capture() {
        lines.start();
        log.setLevel(Level.INFO); // whatever the test logging configuration says
        log.addAppender(lines);
    }

    @AfterEach
    void release() {
        log.detachAppender(lines);
    }

    private TransferRecord push() {
        return new TransferRecord(log, "replication", "target", "pruned_on_target", true,
                (n, r, b, ns) -> metric.add(n + " " + r + " " + b + " " + ns), (n, t) -> gauge.add(n + " " + t));
    }

    private TransferRecord pull() {
        return new TransferRecord(log, "pull", "source", "pruned", false,
                (n, r, b, ns) -> metric.add(n + " " + r + " " + b + " " + ns), (n, t) -> gauge.add(n + " " + t));
    }

    @Test
    void aReplicatedRunCountsItsBytesMovesTheGaugeAndLogsInfo() {
        push().record("dr1", new ReplicationOutcome.Replicated("dr1", 2048, 1_500_000_000L, List.of("full tank/zimbra"),
                Optional.of("zmsnap-hourly-20261130T120000Z"), Optional.of(AT), 3));
        assertEquals(List.of("dr1 replicated 2048 1500000000"), metric);
        assertEquals(List.of("dr1 " + AT), gauge);
        assertEquals(Level.INFO, lines.list.get(0).getLevel());
        assertEquals("replication target=dr1 result=replicated bytes=2048 seconds=1.5 newest=zmsnap-hourly-20261130T120000Z"
                + " pruned_on_target=3", lines.list.get(0).getFormattedMessage());
    }

    @Test
    void anUpToDatePullWithNoNewestLeavesTheGaugeAlone() {
        pull().record("mbx1", new ReplicationOutcome.Replicated("mbx1", 0, 0, List.of(), Optional.empty(), Optional.empty(), 0));
        assertEquals(List.of("mbx1 up-to-date 0 0"), metric);
        assertEquals(List.of(), gauge);
        assertEquals("pull source=mbx1 result=up-to-date bytes=0 seconds=0.0 newest=- pruned=0",
                lines.list.get(0).getFormattedMessage());
    }

    @Test
    void aFailureCountsTheBytesSentBeforeItAndLogsAnError() {
        pull().record("mbx1", new ReplicationOutcome.Failed("mbx1", "connection reset", 512, List.of()));
        assertEquals(List.of("mbx1 failed 512 0"), metric);
        assertEquals(Level.ERROR, lines.list.get(0).getLevel());
        assertEquals("pull source=mbx1 result=failed reason=\"connection reset\"", lines.list.get(0).getFormattedMessage());
        push().record("dr1", new ReplicationOutcome.Refused("dr1", "no common snapshot"));
        assertEquals("dr1 refused 0 0", metric.get(1));
        assertEquals(Level.ERROR, lines.list.get(1).getLevel());
        assertEquals(List.of(), gauge);
    }

    @Test
    void nothingEligibleIsAWarningForAPushAndAnErrorForAPull() {
        ReplicationOutcome none = new ReplicationOutcome.NothingEligible("x", "no set of policy daily yet");
        push().record("dr1", none);
        pull().record("mbx1", none);
        assertEquals(Level.WARN, lines.list.get(0).getLevel());
        assertEquals("replication target=dr1 result=nothing-eligible reason=\"no set of policy daily yet\"",
                lines.list.get(0).getFormattedMessage());
        assertEquals(Level.ERROR, lines.list.get(1).getLevel());
        assertEquals(List.of("dr1 nothing-eligible 0 0", "mbx1 nothing-eligible 0 0"), metric);
    }
}
