package org.zmsnap.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VCardTest {
    @Test
    void writesTheFieldsAsVcard30WithCrlf() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("firstName", "Anna");
        f.put("lastName", "Schmidt");
        f.put("email", "anna@example.com");
        f.put("email2", "a.schmidt@example.org");
        f.put("workPhone", "+49 30 1234");
        f.put("mobilePhone", "+49 170 5");
        f.put("company", "Beispiel GmbH");
        String card = VCard.of(300, f);
        assertEquals(String.join("\r\n", "BEGIN:VCARD", "VERSION:3.0", "FN:Anna Schmidt", "N:Schmidt;Anna;;;",
                "EMAIL;TYPE=INTERNET,PREF:anna@example.com", "EMAIL;TYPE=INTERNET:a.schmidt@example.org",
                "TEL;TYPE=WORK,VOICE:+49 30 1234", "TEL;TYPE=CELL:+49 170 5", "ORG:Beispiel GmbH",
                "UID:zimbra-contact-300", "END:VCARD", ""), card);
    }

    @Test
    void escapesBackslashCommaSemicolonAndNewlines() {
        assertEquals("a\\\\b\\,c\\;d\\ne\\nf", VCard.text("a\\b,c;d\ne\r\nf"));
        String card = VCard.of(1, Map.of("lastName", "Müller; Sohn", "firstName", "Jo, Jr.", "company", "A;B"));
        assertTrue(card.contains("\r\nN:Müller\\; Sohn;Jo\\, Jr.;;;\r\n"), card);
        assertTrue(card.contains("\r\nFN:Jo\\, Jr. Müller\\; Sohn\r\n"), card);
        assertTrue(card.contains("\r\nORG:A\\;B\r\n"), card);
    }

    @Test
    void foldsAt75OctetsWithoutSplittingUtf8() {
        String name = "Проекты-".repeat(12); // 96 chars, 180 bytes: two-byte characters
        String card = VCard.of(7, Map.of("company", name + "😀x"));
        for (String line : card.split("\r\n")) {
            assertTrue(line.getBytes(StandardCharsets.UTF_8).length <= 75, line);
        }
        // unfolding (CRLF + one space removed) gives the value back whole, and every line is valid UTF-8
        String unfolded = card.replace("\r\n ", "");
        assertTrue(unfolded.contains("\r\nORG:" + name + "😀x\r\n"), unfolded);
        assertTrue(!card.contains("\uFFFD"));
        byte[] b = card.getBytes(StandardCharsets.UTF_8);
        assertEquals(card, new String(b, StandardCharsets.UTF_8));
    }

    @Test
    void foldExactlyAtTheLimit() {
        String line = "NOTE:" + "x".repeat(70); // 75 octets: no fold
        assertEquals(line + "\r\n", VCard.fold(line));
        assertEquals(line + "\r\n y\r\n", VCard.fold(line + "y"));
        // a 3-byte character that would cross the limit moves to the next line whole
        String cjk = "NOTE:" + "x".repeat(69) + "会";
        assertEquals(List.of("NOTE:" + "x".repeat(69), " 会", ""), List.of(VCard.fold(cjk).split("\r\n", -1)));
    }

    @Test
    void aGroupIsNamedByItsNickname() {
        String card = VCard.of(10, Map.of("type", "group", "nickname", "Team Süd", "company", "Beispiel GmbH"));
        assertTrue(card.contains("\r\nFN:Team Süd\r\n"), card);
        assertTrue(card.contains("\r\nNICKNAME:Team Süd\r\n"), card);
    }

    @Test
    void aContactWithoutNameFallsBackToItsEmail() {
        String card = VCard.of(9, Map.of("email", "x@example.com"));
        assertTrue(card.contains("\r\nFN:x@example.com\r\n"), card);
        assertTrue(card.contains("\r\nN:;;;;\r\n"), card);
    }
}
