package org.zmsnap.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.exec.CommandResult;
import org.zmsnap.exec.CommandRunner;
import org.zmsnap.exec.StreamingRunner;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.ZfsWorkGate;

/**
 * Every end on this host — a {@code host: local} push target, a pull's, failback's — is built by one factory, with the
 * gate it is given: the daemon's, so its zfs work waits outside a cycle's lock window (the waiting itself: StepExecutorTest
 * and ZfsWorkGateIT).
 */
class TargetEndpointTest {
    static ZfsTarget local(String zfsCommand) {
        return new ZfsTarget("dr1", "local", 22, "root", Optional.empty(), Optional.empty(), DatasetName.of("backup/mbox1"),
                List.of(), Optional.empty(), Map.of("hourly", 2), 0, Duration.ofSeconds(20), Duration.ofSeconds(7), false,
                zfsCommand, Duration.ofHours(2), true, 0, Duration.ZERO, ZfsTarget.DEFAULT_PARALLEL_STREAMS);
    }

    @Test
    void thisHostsEndPassesTheGateItIsGivenWithTheTargetsZfsCommand() {
        ZfsWorkGate daemons = new ZfsWorkGate(Duration.ofSeconds(1), Duration.ofSeconds(30));
        CommandRunner runner = c -> new CommandResult(c, 0, "", "", Duration.ZERO);
        StreamingRunner streams = argv -> {
            throw new AssertionError("nothing is started");
        };
        try (TargetEndpoint ep = TargetEndpoint.thisHost(local("/usr/sbin/zfs"), runner, streams, daemons)) {
            assertSame(daemons, ep.gate());
            assertSame(runner, ep.zfs().runner());
            assertSame(streams, ep.streaming());
            assertEquals("/usr/sbin/zfs", ep.zfsCommand());
            assertEquals("this host", ep.where());
        }
        try (TargetEndpoint ep = TargetEndpoint.open(local("zfs"), daemons)) {
            assertSame(daemons, ep.gate(), "a host: local target opened with the daemon's gate");
        }
        try (TargetEndpoint ep = TargetEndpoint.open(local("zfs"))) {
            assertNotSame(daemons, ep.gate());
            assertTrue(!ep.gate().closed(), "without one: a gate nothing closes");
        }
    }
}
