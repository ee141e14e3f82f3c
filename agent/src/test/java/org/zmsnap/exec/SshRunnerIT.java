package org.zmsnap.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.zmsnap.fixtures.Await;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SshHost;

/** The agent's SSH runner against a real OpenSSH sshd on loopback. */
class SshRunnerIT {
    @Test
    void aCommandThatTimesOutIsKilledOnTheRemoteHostNotJustAbandoned() {
        try (SshHost host = SshHost.startTemporary()) {
            host.authorize("");
            // Neither reads stdin nor writes: closing the channel alone leaves such a command running, and
            // sshd will not signal a root session.
            String marker = "61." + ThreadLocalRandom.current().nextInt(100_000, 999_999);
            try (SshRunner ssh = SshRunner.connect(host.host(), host.port(), host.user(), host.clientKey(), host.knownHosts(),
                    Duration.ofSeconds(10))) {
                assertThrows(CommandTimeoutException.class, () -> ssh.run(Command.of(Duration.ofSeconds(1), "sleep", marker)));
                CommandResult ok = ssh.run(Command.of(Duration.ofSeconds(10), "echo", "it's", "quoted"));
                assertEquals("it's quoted\n", ok.stdout(), "the session stays usable; arguments arrive intact");
                assertEquals(0, ok.exitCode());
                assertEquals(3, ssh.run(Command.of(Duration.ofSeconds(10), "sh", "-c", "exit 3")).exitCode(),
                        "the command's own exit status comes back through timeout(1)");
            }
            Await.until(Duration.ofSeconds(6), () -> Proc.run(Duration.ofSeconds(5), "pgrep", "-f", "sleep " + marker).exitCode() == 1,
                    () -> "the remote sleep " + marker + " still runs after the timeout; sshd log:\n" + log(host));
        }
    }

    private static String log(SshHost host) {
        try {
            return Files.readString(host.sshdLog());
        } catch (IOException e) {
            return e.toString();
        }
    }
}
