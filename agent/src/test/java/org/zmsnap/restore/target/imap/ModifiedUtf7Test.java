package org.zmsnap.restore.target.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.eclipse.angus.mail.imap.protocol.BASE64MailboxDecoder;
import org.eclipse.angus.mail.imap.protocol.BASE64MailboxEncoder;
import org.junit.jupiter.api.Test;

/**
 * The product's mailbox-name codec against RFC 3501 section 5.1.3, and against an independent
 * implementation: Eclipse Angus Mail's ({@link BASE64MailboxEncoder}, {@link BASE64MailboxDecoder}), the
 * one the test fixtures' IMAP client uses to read back what a restore wrote.
 */
class ModifiedUtf7Test {

    @Test
    void theRfcExampleEncodesAndDecodes() {
        assertEquals("~peter/mail/&U,BTFw-/&ZeVnLIqe-", ModifiedUtf7.encode("~peter/mail/台北/日本語"));
        assertEquals("~peter/mail/台北/日本語", ModifiedUtf7.decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-"));
    }

    @Test
    void anAmpersandIsAmpersandDash() {
        assertEquals("&-", ModifiedUtf7.encode("&"));
        assertEquals("&", ModifiedUtf7.decode("&-"));
        assertEquals("A&-B&-&-", ModifiedUtf7.encode("A&B&&"));
        assertEquals("A&B&&", ModifiedUtf7.decode("A&-B&-&-"));
    }

    @Test
    void printableAsciiOtherThanAmpersandStandsForItself() {
        StringBuilder all = new StringBuilder();
        for (char c = 0x20; c <= 0x7e; c++) {
            if (c != '&') {
                all.append(c);
            }
        }
        String ascii = all.toString();
        assertEquals(ascii, ModifiedUtf7.encode(ascii));
        assertEquals(ascii, ModifiedUtf7.decode(ascii));
        assertEquals("", ModifiedUtf7.encode(""));
        assertEquals("", ModifiedUtf7.decode(""));
    }

    @Test
    void everythingElseIsUtf16InModifiedBase64OneShiftPerRun() {
        assertEquals("Projekte/&ANw-berweisungen", ModifiedUtf7.encode("Projekte/Überweisungen"));
        assertEquals("Gr&APwA3w-e", ModifiedUtf7.encode("Grüße"));
        // ',' stands for base64's '/', '+' is kept, no '=' padding
        assertEquals("&AP8A,wD,-", ModifiedUtf7.encode("ÿÿÿ"));
        assertEquals("&+wE-", ModifiedUtf7.encode("ﬁ"));
        // control characters and DEL are not printable, so they are shifted too
        assertEquals("a&AAk-b&AH8-", ModifiedUtf7.encode("a\tb\u007f"));
        assertEquals("a\tb\u007f", ModifiedUtf7.decode("a&AAk-b&AH8-"));
    }

    @Test
    void surrogatePairsAreEncodedAsTheirTwoUtf16Units() {
        assertEquals("&2D3c7A-", ModifiedUtf7.encode("📬"));
        assertEquals("📬", ModifiedUtf7.decode("&2D3c7A-"));
        assertEquals("Post &2D3c7A- &- more", ModifiedUtf7.encode("Post 📬 & more"));
        assertEquals("&2DTdHg-a", ModifiedUtf7.encode("𝄞a"));
    }

    @Test
    void namesRoundTrip() {
        for (String name : new String[] {
            "INBOX", "Projekte/Überweisungen 2026", "A&B", "&", "&&-", "-&-", "Grüße 📬 & more", "ÄÖÜ",
            "台北/日本語", "Trash/Gelöscht (alt)", "\u00a0", "a\u0000b", "😀😀😀", "€-€", ""
        }) {
            assertEquals(name, ModifiedUtf7.decode(ModifiedUtf7.encode(name)), name);
        }
    }

    @Test
    void agreesWithAngusMail() {
        // The reference itself follows the RFC's example, so agreeing with it means something.
        assertEquals("~peter/mail/&U,BTFw-/&ZeVnLIqe-", BASE64MailboxEncoder.encode("~peter/mail/台北/日本語"));
        assertEquals("~peter/mail/台北/日本語", BASE64MailboxDecoder.decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-"));
        Random random = new Random(3501);
        String[] pieces = {"a", "Z", " ", "&", "-", "/", ".", ",", "+", "~", "ü", "ß", "台", "€", "\t",
            "\u007f", "\u00a0", "📬", "𝄞", "\uffff", "\u0100"};
        for (int n = 0; n < 5000; n++) {
            StringBuilder name = new StringBuilder();
            int length = random.nextInt(12);
            for (int k = 0; k < length; k++) {
                name.append(pieces[random.nextInt(pieces.length)]);
            }
            String s = name.toString();
            String product = ModifiedUtf7.encode(s);
            assertEquals(BASE64MailboxEncoder.encode(s), product, s);
            assertEquals(s, BASE64MailboxDecoder.decode(product), s);
            assertEquals(s, ModifiedUtf7.decode(BASE64MailboxEncoder.encode(s)), s);
        }
    }

    @Test
    void malformedNamesAreRefused() {
        assertRefused("a&ANw", "unterminated '&' shift");
        assertRefused("Über", "raw non-ASCII");
        assertRefused("a\tb", "raw non-ASCII");
        assertRefused("&AN-", "odd UTF-16 length");        // 12 bits: one byte
        // these two are refused by java.util.Base64, whose message does not name the mailbox
        assertThrows(IllegalArgumentException.class, () -> ModifiedUtf7.decode("&A-")); // 6 bits: no byte
        assertThrows(IllegalArgumentException.class, () -> ModifiedUtf7.decode("&A*w-"));
    }

    /**
     * What the decoder lets through although no conforming encoder writes it (Angus Mail's encoder
     * writes each decoded name differently): '/' for ',', '=' padding, printable ASCII inside a shift,
     * and a lone surrogate, which becomes U+FFFD. Pinned here so a change to it is a decision, not an
     * accident; the names come from the IMAP server, which encodes conformingly.
     */
    @Test
    void someNamesNoConformingEncoderWritesAreTolerated() {
        assertEquals("ÿÿÿ", ModifiedUtf7.decode("&AP8A/wD/-"));
        assertEquals("Ü", ModifiedUtf7.decode("&ANw=-"));
        assertEquals("A", ModifiedUtf7.decode("&AEE-"));
        assertEquals("\ufffd", ModifiedUtf7.decode("&2D0-"));
        for (String tolerated : new String[] {"&AP8A/wD/-", "&ANw=-", "&AEE-", "&2D0-"}) {
            assertNotEquals(tolerated, BASE64MailboxEncoder.encode(ModifiedUtf7.decode(tolerated)), tolerated);
        }
    }

    private static void assertRefused(String encoded, String why) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ModifiedUtf7.decode(encoded), encoded);
        assertTrue(e.getMessage().contains(why) && e.getMessage().contains(encoded), e.getMessage());
    }
}
