package org.zmsnap.restore.target.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zmsnap.config.RestoreConfig;
import org.zmsnap.fixtures.ImapServer;

/**
 * The admin's password only goes to the right server: against a real Dovecot with a certificate signed by a CA made
 * for the test (as Zimbra's self-signed certificate is), over STARTTLS and implicit TLS.
 */
class ImapTlsIT {
    private static final String USER = "anna@example.com";
    private static final Duration T = Duration.ofSeconds(10);

    @Test
    void theRightCaFileAndHostNameAreAcceptedOverStarttlsAndImplicitTls() {
        try (ImapServer server = ImapServer.startWithTls(Map.of(USER, "pw"), "admin", "adminpw",
                List.of("IP:127.0.0.1", "DNS:localhost"))) {
            Optional<java.nio.file.Path> ca = Optional.of(server.caFile());
            for (String host : List.of("127.0.0.1", "localhost")) {
                try (ImapClient c = ImapClient.connect(host, server.port(), RestoreConfig.Tls.STARTTLS, ca, T)) {
                    c.authenticatePlain(USER, server.masterUser(), server.masterPassword());
                    assertEquals(List.of("INBOX"), c.list());
                }
                try (ImapClient c = ImapClient.connect(host, server.tlsPort(), RestoreConfig.Tls.IMPLICIT, ca, T)) {
                    c.authenticatePlain(USER, server.masterUser(), server.masterPassword());
                    assertEquals(List.of("INBOX"), c.list());
                }
            }
            // Without the CA file the JDK's CAs do not know this self-signed CA: refused before any password is sent.
            ImapException unknown = assertThrows(ImapException.class,
                    () -> ImapClient.connect("127.0.0.1", server.port(), RestoreConfig.Tls.STARTTLS, Optional.empty(), T));
            assertTrue(unknown.getMessage().contains("ca-file"), unknown.getMessage());
            // Implicit TLS spoken to the plain port, or plain IMAP to the TLS port, fails clearly too.
            assertThrows(ImapException.class,
                    () -> ImapClient.connect("127.0.0.1", server.port(), RestoreConfig.Tls.IMPLICIT, ca, T));
        }
    }

    @Test
    void aCertificateForAnotherHostNameIsRefused() throws Exception {
        try (ImapServer server = ImapServer.startWithTls(Map.of(USER, "pw"), "admin", "adminpw", List.of("DNS:mail.other.test"))) {
            Optional<java.nio.file.Path> ca = Optional.of(server.caFile());
            for (String host : List.of("127.0.0.1", "localhost")) {
                ImapException starttls = assertThrows(ImapException.class,
                        () -> ImapClient.connect(host, server.port(), RestoreConfig.Tls.STARTTLS, ca, T));
                assertTrue(starttls.getMessage().contains("certificate was refused")
                        && starttls.getMessage().contains("must name " + host), starttls.getMessage());
                ImapException implicit = assertThrows(ImapException.class,
                        () -> ImapClient.connect(host, server.tlsPort(), RestoreConfig.Tls.IMPLICIT, ca, T));
                assertTrue(implicit.getMessage().contains("certificate was refused"), implicit.getMessage());
            }
            // Nobody logged in: the refusal came before AUTHENTICATE.
            String log = java.nio.file.Files.readString(server.log());
            assertTrue(!log.contains("Login: user="), log);
        }
    }
}
