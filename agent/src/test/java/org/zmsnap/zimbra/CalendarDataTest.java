package org.zmsnap.zimbra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import biweekly.Biweekly;
import biweekly.ICalendar;
import biweekly.component.VEvent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What Zimbra stored for a calendar item, taken out as iCalendar; read back with biweekly (not used by the product). */
class CalendarDataTest {
    static final String ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a1\r\nSUMMARY:Besprechung Ω\r\nDTSTART:20261201T090000Z\r\n"
            + "END:VEVENT\r\nEND:VCALENDAR\r\n";

    private static String ics(byte[] blob) {
        return new String(CalendarData.ics(blob).orElseThrow(), StandardCharsets.UTF_8);
    }

    @Test
    void findsTheCalendarPartOfAZimbraInviteNestedInMultipart() {
        String mime = "From: anna@example.com\r\nSubject: Besprechung\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/alternative;\r\n boundary=\"=_outer\"\r\n\r\n"
                + "--=_outer\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe meeting.\r\n"
                + "--=_outer\r\nContent-Type: text/calendar; charset=utf-8; method=REQUEST\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(ICS.getBytes(StandardCharsets.UTF_8)) + "\r\n"
                + "--=_outer--\r\n";
        assertEquals(ICS, ics(mime.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void decodesQuotedPrintableAndCharsetsAndTakesA7bitPartAsItIs() {
        String qp = "Content-Type: text/calendar; method=REQUEST; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
                + "BEGIN:VCALENDAR\nSUMMARY:Gr=C3=BC=\n=C3=9Fe\nEND:VCALENDAR\n";
        // a quoted-printable hard line break is a CRLF (RFC 2045 6.7), whatever the stored line end
        assertEquals("BEGIN:VCALENDAR\r\nSUMMARY:Grüße\r\nEND:VCALENDAR\r\n", ics(qp.getBytes(StandardCharsets.ISO_8859_1)));
        String latin1 = "Content-Type: text/calendar; charset=iso-8859-1\r\n\r\nBEGIN:VCALENDAR\r\nSUMMARY:Grüße\r\nEND:VCALENDAR\r\n";
        assertEquals("BEGIN:VCALENDAR\r\nSUMMARY:Grüße\r\nEND:VCALENDAR\r\n", ics(latin1.getBytes(StandardCharsets.ISO_8859_1)));
        String plain = "Content-Type: text/calendar\r\n\r\n" + ICS;
        assertEquals(ICS, ics(plain.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aBlobThatIsICalendarAlreadyIsTakenAsItIs() {
        byte[] blob = ("\uFEFF" + ICS).getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(blob, CalendarData.ics(blob).orElseThrow());
    }

    @Test
    void severalInvitesBecomeOneCalendarWithEachComponentAndOneTimezone() {
        String tz = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\n"
                + "TZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
        String series = "BEGIN:VCALENDAR\r\nPRODID:Zimbra-Calendar-Provider\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n" + tz
                + "BEGIN:VEVENT\r\nUID:s1\r\nSUMMARY:Jour fixe\r\nDTSTART;TZID=Europe/Berlin:20261201T090000\r\nRRULE:FREQ=WEEKLY\r\n"
                + "DESCRIPTION:a long description that is folded by the writer because it is lon\r\n g\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        String exception = "BEGIN:VCALENDAR\r\nPRODID:Zimbra-Calendar-Provider\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n" + tz
                + "BEGIN:VEVENT\r\nUID:s1\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261208T090000\r\nSUMMARY:Jour fixe (verschoben)\r\n"
                + "DTSTART;TZID=Europe/Berlin:20261209T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        String mime = "Content-Type: multipart/mixed; boundary=top\r\n\r\n"
                + "--top\r\nContent-Type: message/rfc822\r\n\r\n" + invite("a", series)
                + "\r\n--top\r\nContent-Type: message/rfc822\r\n\r\n" + invite("b", exception) + "\r\n--top--\r\n";
        String out = ics(mime.getBytes(StandardCharsets.UTF_8));
        assertEquals(1, out.split("BEGIN:VTIMEZONE", -1).length - 1, out);
        assertTrue(out.startsWith("BEGIN:VCALENDAR\r\nPRODID:Zimbra-Calendar-Provider\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VTIMEZONE"), out);
        assertTrue(out.contains("lon\r\n g\r\n"), "a folded line stays folded as stored: " + out);
        List<ICalendar> cals = Biweekly.parse(out).all();
        assertEquals(1, cals.size());
        List<VEvent> events = cals.get(0).getEvents();
        assertEquals(List.of("Jour fixe", "Jour fixe (verschoben)"), events.stream().map(e -> e.getSummary().getValue()).toList());
        assertEquals("a long description that is folded by the writer because it is long", events.get(0).getDescription().getValue());
        assertEquals(1, cals.get(0).getTimezoneInfo().getComponents().size());
    }

    private static String invite(String b, String ics) {
        return "Subject: x\r\nContent-Type: multipart/alternative; boundary=" + b + "\r\n\r\n--" + b
                + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + b + "\r\nContent-Type: text/calendar; charset=utf-8\r\n\r\n"
                + ics + "\r\n--" + b + "--";
    }

    @Test
    void noCalendarPartIsEmpty() {
        assertTrue(CalendarData.ics("Subject: x\r\nContent-Type: text/plain\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII)).isEmpty());
        assertTrue(CalendarData.ics("Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)).isEmpty());
    }
}
