package org.zmsnap.check;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.zmsnap.exec.OpenSshKnownHosts;
import org.zmsnap.exec.SshRunner;

/**
 * Connects the way replication does ({@link SshRunner}, OpenSSH's known_hosts rules) and reports the host key and
 * the login as two lines, so an unknown or changed host key is its own failure with the command that fixes it.
 */
final class SshProbe {
    private SshProbe() {}

    /** The connection, or empty after a failing line. */
    static Optional<SshRunner> connect(Lines l, String host, int port, String user, Path identity, Path knownHosts,
                                       Duration timeout, String loginFix) {
        try {
            SshRunner ssh = SshRunner.connect(host, port, user, identity, knownHosts, timeout);
            l.ok("host key", "known in " + knownHosts);
            l.ok("ssh login", ssh.where() + " with " + identity);
            return Optional.of(ssh);
        } catch (RuntimeException e) {
            String m = Lines.message(e);
            if (hostKeyProblem(m)) {
                l.fail("host key", m, hostKeyFix(m, host, port, knownHosts));
            } else {
                l.fail("ssh login", m, loginFix);
            }
            return Optional.empty();
        }
    }

    /** The messages of {@link SshRunner} and {@link OpenSshKnownHosts} about a host key all name it so. */
    static boolean hostKeyProblem(String message) {
        return message.contains("host key") || message.contains("known_hosts") || message.contains("@cert-authority");
    }

    static String hostKeyFix(String message, String host, int port, Path knownHosts) {
        String scan = "ssh-keyscan " + (port == 22 ? "" : "-p " + port + " ") + host;
        if (message.contains("CHANGED") || message.contains("revoked")) {
            return "find out why the key of " + OpenSshKnownHosts.lookupName(host, port) + " changed (reinstall?); once its new key"
                    + " is verified, replace the old line: ssh-keygen -R '" + OpenSshKnownHosts.lookupName(host, port) + "' -f "
                    + knownHosts + " && " + scan + " >> " + knownHosts;
        }
        return "compare the key's fingerprint with the host's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub there),"
                + " then add it: " + scan + " >> " + knownHosts;
    }
}
