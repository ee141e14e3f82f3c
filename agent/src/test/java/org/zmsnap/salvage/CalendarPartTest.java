package org.zmsnap.salvage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class CalendarPartTest {
    static final String ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Besprechung Ω\r\nDTSTART:20261201T090000Z\r\n"
            + "END:VEVENT\r\nEND:VCALENDAR\r\n";

    @Test
    void findsTheCalendarPartOfAZimbraInviteNestedInMultipart() {
        String mime = "From: anna@example.com\r\nSubject: Besprechung\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/alternative;\r\n boundary=\"=_outer\"\r\n\r\n"
                + "--=_outer\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe meeting.\r\n"
                + "--=_outer\r\nContent-Type: text/calendar; charset=utf-8; method=REQUEST\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(ICS.getBytes(StandardCharsets.UTF_8)) + "\r\n"
                + "--=_outer--\r\n";
        assertEquals(ICS, new String(CalendarPart.extract(mime.getBytes(StandardCharsets.ISO_8859_1)).orElseThrow(), StandardCharsets.UTF_8));
    }

    @Test
    void decodesQuotedPrintableAndTakesA7bitPartAsItIs() {
        String qp = "Content-Type: text/calendar; method=REQUEST\nContent-Transfer-Encoding: quoted-printable\n\n"
                + "BEGIN:VCALENDAR\nSUMMARY:Gr=C3=BC=\n=C3=9Fe\nEND:VCALENDAR\n";
        assertEquals("BEGIN:VCALENDAR\nSUMMARY:Grüße\nEND:VCALENDAR\n",
                new String(CalendarPart.extract(qp.getBytes(StandardCharsets.ISO_8859_1)).orElseThrow(), StandardCharsets.UTF_8));
        String plain = "Content-Type: text/calendar\r\n\r\n" + ICS;
        assertEquals(ICS, new String(CalendarPart.extract(plain.getBytes(StandardCharsets.UTF_8)).orElseThrow(), StandardCharsets.UTF_8));
    }

    @Test
    void noCalendarPartIsEmpty() {
        assertTrue(CalendarPart.extract("Subject: x\r\nContent-Type: text/plain\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII)).isEmpty());
        assertTrue(CalendarPart.extract("Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).isEmpty());
    }
}
