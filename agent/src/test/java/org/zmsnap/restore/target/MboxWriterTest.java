package org.zmsnap.restore.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.zimbra.MailItem;

class MboxWriterTest {
    @TempDir
    Path dir;

    private static String quoted(String m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MboxWriter.writeQuoted(out, m.getBytes(StandardCharsets.US_ASCII));
        return out.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void bodyLinesStartingWithFromAreQuotedMboxrdStyle() throws Exception {
        assertEquals("Subject: x\n\n>From here\nnot From here\n", quoted("Subject: x\n\nFrom here\nnot From here\n"));
    }

    @Test
    void alreadyQuotedLinesGetOneMoreLevelSoReadersCanUndoIt() throws Exception {
        // mboxrd, not mboxo: ">From " must become ">>From ", or a reader would turn it back into "From ".
        assertEquals("a\n>>From x\n>>>From y\n", quoted("a\n>From x\n>>From y\n"));
    }

    @Test
    void nearMissesAreLeftAlone() throws Exception {
        // "From:" is a header, "From" without a space and ">" lines are not separators either
        assertEquals("From: a@b\nFromage\n>quote\nFrom\n", quoted("From: a@b\nFromage\n>quote\nFrom\n"));
    }

    @Test
    void crlfIsKeptAndAMissingFinalLineEndIsAdded() throws Exception {
        assertEquals("a\r\n>From b\r\nend\n", quoted("a\r\nFrom b\r\nend"));
        assertEquals(">From x\n", quoted("From x"));
    }

    @Test
    void fileHasOneFromLinePerMessageWithTheReceivedDate() throws Exception {
        MailItem a = new MailItem(300, MailItem.MESSAGE, 2, Instant.parse("2026-03-05T07:08:09Z"), 10, "1", null,
                false, 0, "s", "r", "one", null, 1, null);
        MailItem b = new MailItem(301, MailItem.MESSAGE, 2, Instant.parse("2026-11-22T14:00:00Z"), 10, "1", null,
                false, 0, "s", "r", "two", null, 1, null);
        try (MboxWriter w = new MboxWriter(dir)) {
            w.message(a, List.of("Inbox"), "Subject: one\n\nFrom me\n".getBytes(StandardCharsets.US_ASCII));
            w.message(b, List.of("Inbox"), "Subject: two\n\nbye".getBytes(StandardCharsets.US_ASCII));
        }
        String mbox = Files.readString(dir.resolve("Inbox.mbox"), StandardCharsets.US_ASCII);
        // asctime pads the day of month with a space: "Mar  5"
        assertEquals("From MAILER-DAEMON Thu Mar  5 07:08:09 2026\nSubject: one\n\n>From me\n\n"
                + "From MAILER-DAEMON Sun Nov 22 14:00:00 2026\nSubject: two\n\nbye\n\n", mbox);
        assertEquals(2, mbox.lines().filter(l -> l.startsWith("From ")).count());
        assertTrue(Files.notExists(dir.resolve("root.mbox")));
    }
}
