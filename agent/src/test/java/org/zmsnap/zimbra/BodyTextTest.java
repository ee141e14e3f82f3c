package org.zmsnap.zimbra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zmsnap.fixtures.zimbra.MailCorpus;

class BodyTextTest {
    static final List<String> PHRASES = List.of("überweisung", "ÜBERWEISUNG MÄRZ", "sparkasse", "grüße aus köln", "привет",
            "выручка выросла", "4711", "оплачен полностью", "quarterly report", "ready & waiting", "明日の午後", "zx-9912",
            "forwarded invoice", "secret-pdf-phrase", "bank statement", "march", "content-type", "nowhere-in-the-corpus");

    @Test
    void everyPhraseIsFoundExactlyWhereTheReaderSeesIt() {
        List<MailCorpus.Entry> corpus = MailCorpus.messages("user@example.com");
        int hits = 0;
        for (MailCorpus.Entry e : corpus) {
            for (String p : PHRASES) {
                boolean expected = e.readerSees(p);
                BodyText.Match got = BodyText.contains(e.raw(), p);
                assertEquals(expected ? BodyText.Match.Found.class : BodyText.Match.NotFound.class, got.getClass(), e.name() + " / " + p);
                hits += expected ? 1 : 0;
            }
        }
        assertEquals(true, hits >= 15, "the corpus exercises the phrases: " + hits);
    }

    @Test
    void aBrokenBodyIsReadAsFarAsItGoes() {
        String m = "Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + java.util.Base64.getEncoder().encodeToString("the early part survives".getBytes(StandardCharsets.UTF_8)).substring(0, 20)
                + "!!!\r\n";
        assertInstanceOf(BodyText.Match.Found.class, BodyText.contains(m.getBytes(StandardCharsets.US_ASCII), "the early"));
        assertInstanceOf(BodyText.Match.NotFound.class, BodyText.contains(new byte[0], "x"));
        assertEquals(StandardCharsets.UTF_8, BodyText.charset("x-no-such-charset"));
    }
}
