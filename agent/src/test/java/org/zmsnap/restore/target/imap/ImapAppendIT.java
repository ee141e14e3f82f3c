package org.zmsnap.restore.target.imap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.zmsnap.config.RestoreConfig;
import org.zmsnap.fixtures.ImapServer;
import org.zmsnap.fixtures.imap.FetchedMessage;

/** The restore's IMAP client against a real Dovecot: batched (MULTIAPPEND) and one-by-one appends. */
class ImapAppendIT {
    private static final String USER = "anna@example.com";

    @Test
    void multiappendStoresEveryMessageWithItsFlagsAndDate() {
        try (ImapServer server = ImapServer.start(Map.of(USER, "pw"), "admin", "adminpw");
             ImapClient c = login(server)) {
            assertTrue(c.capabilities().contains("MULTIAPPEND"), "Dovecot offers MULTIAPPEND: " + c.capabilities());
            List<ImapClient.Message> batch = messages(5);
            List<ImapClient.AppendOutcome> out = c.appendAll("INBOX", batch);
            assertEquals(5, out.size());
            out.forEach(o -> assertInstanceOf(ImapClient.AppendOutcome.Appended.class, o));
            assertStored(server, batch);
        }
    }

    @Test
    void withoutMultiappendEachMessageGoesAlone() {
        // Dovecot still accepts MULTIAPPEND when it does not advertise it; the client must not use it then.
        Map<String, String> plain = Map.of("imap_capability", "IMAP4rev1 SASL-IR ID ENABLE IDLE UIDPLUS");
        try (ImapServer server = ImapServer.start(Map.of(USER, "pw"), "admin", "adminpw", plain);
             ImapClient c = login(server)) {
            assertFalse(c.capabilities().contains("MULTIAPPEND"), "advertised: " + c.capabilities());
            List<ImapClient.Message> batch = messages(3);
            c.appendAll("INBOX", batch).forEach(o -> assertInstanceOf(ImapClient.AppendOutcome.Appended.class, o));
            assertStored(server, batch);
        }
    }

    @Test
    void aRefusedBatchIsRetriedSoEachRefusalIsPinnedToItsMessage() {
        try (ImapServer server = ImapServer.start(Map.of(USER, "pw"), "admin", "adminpw");
             ImapClient c = login(server)) {
            List<ImapClient.Message> batch = new ArrayList<>(messages(3));
            // An invalid system flag: Dovecot rejects the whole command while parsing it.
            ImapClient.Message bad = batch.get(1);
            batch.set(1, new ImapClient.Message(bad.raw(), Set.of("\\Bogus"), bad.internalDate()));
            List<ImapClient.AppendOutcome> out = c.appendAll("INBOX", batch);
            assertInstanceOf(ImapClient.AppendOutcome.Appended.class, out.get(0));
            ImapClient.AppendOutcome.Refused refused = assertInstanceOf(ImapClient.AppendOutcome.Refused.class, out.get(1));
            assertTrue(refused.reason().contains("BOGUS"), refused.reason());
            assertInstanceOf(ImapClient.AppendOutcome.Appended.class, out.get(2));
            List<FetchedMessage> stored = server.fetchAll(USER, "INBOX");
            assertEquals(2, stored.size(), "only the good messages, once each; nothing of the bad one ran as a command");
            assertArrayEquals(batch.get(0).raw(), stored.get(0).raw());
            assertArrayEquals(batch.get(2).raw(), stored.get(1).raw());
            // The connection is still usable and in sync after the refusal.
            c.append("INBOX", messages(1).get(0).raw(), Set.of(), Instant.parse("2026-01-01T00:00:00Z"));
            assertEquals(3, server.fetchAll(USER, "INBOX").size());
        }
    }

    @Test
    void aMissingMailboxRefusesEveryMessage() {
        try (ImapServer server = ImapServer.start(Map.of(USER, "pw"), "admin", "adminpw");
             ImapClient c = login(server)) {
            List<ImapClient.AppendOutcome> out = c.appendAll("Nope", messages(2));
            out.forEach(o -> assertInstanceOf(ImapClient.AppendOutcome.Refused.class, o));
            assertEquals(List.of("INBOX"), c.list());
        }
    }

    private static ImapClient login(ImapServer server) {
        ImapClient c = ImapClient.connect(server.host(), server.port(), RestoreConfig.Tls.NONE, java.util.Optional.empty(), Duration.ofSeconds(10));
        c.authenticatePlain(USER, server.masterUser(), server.masterPassword());
        return c;
    }

    /** Messages whose body contains lines that would be IMAP commands if a server ever read them as such. */
    private static List<ImapClient.Message> messages(int n) {
        List<ImapClient.Message> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String raw = "From: bob@example.com\r\nTo: " + USER + "\r\nSubject: batch " + i + "\r\nMessage-ID: <b" + i
                    + "." + System.nanoTime() + "@example.com>\r\n\r\nx1 DELETE INBOX\r\nline " + i + "\r\n";
            Set<String> flags = i % 2 == 0 ? Set.of("\\Seen") : Set.of("\\Flagged", "\\Answered");
            out.add(new ImapClient.Message(raw.getBytes(StandardCharsets.US_ASCII), flags,
                    Instant.parse("2025-0" + (1 + i % 9) + "-15T10:20:30Z")));
        }
        return out;
    }

    private static void assertStored(ImapServer server, List<ImapClient.Message> sent) {
        List<FetchedMessage> stored = server.fetchAll(USER, "INBOX");
        assertEquals(sent.size(), stored.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i).raw(), stored.get(i).raw(), "message " + i);
            assertEquals(sent.get(i).flags(), stored.get(i).flags(), "flags of message " + i);
            assertEquals(sent.get(i).internalDate(), stored.get(i).internalDate(), "date of message " + i);
        }
    }
}
