package org.zmsnap.zimbra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.zmsnap.fixtures.zimbra.BEncode;
import org.zmsnap.fixtures.zimbra.VcfReader;
import org.zmsnap.fixtures.zimbra.VcfReader.Prop;

/** The vCard is read back with the test fixtures' own reader (not ez-vcard) and compared with the Zimbra fields. */
class VCardTest {
    private static List<Prop> read(int id, Map<String, String> f) {
        String card = VCard.of(id, f);
        assertTrue(card.startsWith("BEGIN:VCARD\r\nVERSION:3.0\r\n"), card);
        assertTrue(card.endsWith("END:VCARD\r\n"), card);
        return VcfReader.read(card);
    }

    private static Prop one(List<Prop> props, String name) {
        List<Prop> all = VcfReader.all(props, name);
        assertEquals(1, all.size(), name + " in " + props);
        return all.get(0);
    }

    @Test
    void mapsZimbraFieldsLikeZimbrasOwnExport() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("firstName", "Anna");
        f.put("lastName", "Schmidt");
        f.put("middleName", "Maria");
        f.put("namePrefix", "Dr.");
        f.put("email", "anna@example.com");
        f.put("email2", "a.schmidt@example.org");
        f.put("workEmail1", "anna@work.example");
        f.put("workPhone", "+49 30 1234");
        f.put("workPhone2", "+49 30 9999");
        f.put("mobilePhone", "+49 170 5");
        f.put("homeFax", "+49 30 4");
        f.put("company", "Beispiel GmbH");
        f.put("department", "Einkauf");
        f.put("jobTitle", "Leiterin");
        f.put("notes", "Zeile 1\nZeile 2; mit, Zeichen");
        f.put("birthday", "1980-04-02");
        f.put("homeURL", "https://anna.example");
        f.put("workURL", "https://beispiel.example");
        List<Prop> p = read(300, f);
        assertEquals("Dr. Anna Maria Schmidt", one(p, "FN").text());
        assertEquals(List.of("Schmidt", "Anna", "Maria", "Dr.", ""), one(p, "N").components());
        List<Prop> emails = VcfReader.all(p, "EMAIL");
        assertEquals(List.of("anna@example.com", "a.schmidt@example.org", "anna@work.example"), emails.stream().map(Prop::text).toList());
        assertTrue(emails.get(0).types().containsAll(List.of("internet", "pref")), emails.toString());
        assertTrue(emails.get(2).types().contains("work"), emails.toString());
        List<Prop> tels = VcfReader.all(p, "TEL");
        assertEquals(List.of("+49 30 1234", "+49 30 9999", "+49 170 5", "+49 30 4"), tels.stream().map(Prop::text).toList());
        assertEquals(Set.of("work", "voice"), Set.copyOf(tels.get(0).types()));
        assertEquals(Set.of("cell", "voice"), Set.copyOf(tels.get(2).types()));
        assertEquals(Set.of("home", "fax"), Set.copyOf(tels.get(3).types()));
        assertEquals(List.of("Beispiel GmbH", "Einkauf"), one(p, "ORG").components());
        assertEquals("Leiterin", one(p, "TITLE").text());
        assertEquals("Zeile 1\nZeile 2; mit, Zeichen", one(p, "NOTE").text());
        assertEquals("1980-04-02", one(p, "BDAY").raw().replace("-", "").replaceAll("(\\d{4})(\\d{2})(\\d{2})", "$1-$2-$3"));
        List<Prop> urls = VcfReader.all(p, "URL");
        assertEquals(List.of("https://anna.example", "https://beispiel.example"), urls.stream().map(Prop::raw).toList());
        assertEquals(List.of("home"), urls.get(0).types());
        assertEquals("zimbra-contact-300", one(p, "UID").text());
        assertTrue(VcfReader.all(p, "X-ZIMBRA-FIELD").isEmpty(), "every field above has a vCard property: " + p);
    }

    @Test
    void postalAddressesIncludingNumberedOnes() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("firstName", "Jo");
        f.put("homeStreet", "Hauptstraße 5\nHinterhaus");
        f.put("homeCity", "Berlin");
        f.put("homePostalCode", "10115");
        f.put("homeCountry", "Deutschland");
        f.put("workStreet", "Acme; Way 1");
        f.put("workCity", "Springfield");
        f.put("workState", "IL");
        f.put("workStreet2", "Branch Rd 2");
        f.put("workCity2", "Shelbyville");
        f.put("otherCity", "Москва");
        List<Prop> adr = VcfReader.all(read(1, f), "ADR");
        assertEquals(4, adr.size(), adr.toString());
        assertEquals(List.of("", "", "Hauptstraße 5\nHinterhaus", "Berlin", "", "10115", "Deutschland"), adr.get(0).components());
        assertTrue(adr.get(0).types().contains("home"));
        assertEquals(List.of("", "", "Acme; Way 1", "Springfield", "IL", "", ""), adr.get(1).components());
        assertTrue(adr.get(1).types().contains("work"));
        assertEquals(List.of("", "", "Branch Rd 2", "Shelbyville", "", "", ""), adr.get(2).components());
        assertEquals(List.of("", "", "", "Москва", "", "", ""), adr.get(3).components());
        assertTrue(!adr.get(3).types().contains("home") && !adr.get(3).types().contains("work"));
    }

    @Test
    void customAndUnknownFieldsAreKeptAsXZimbraField() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("firstName", "Jo");
        f.put("fileAs", "1");
        f.put("Lieblingsfarbe", "grün; ganz, sicher");
        f.put("customer-no", "K-4711");
        f.put("anniversary", "2010-06-01");
        f.put("imAddress1", "xmpp://jo@chat.example");
        List<Prop> p = read(2, f);
        Map<String, String> custom = new LinkedHashMap<>();
        for (Prop x : VcfReader.all(p, "X-ZIMBRA-FIELD")) {
            custom.put(x.param("X-NAME"), x.text());
        }
        assertEquals(Map.of("fileAs", "1", "Lieblingsfarbe", "grün; ganz, sicher", "customer-no", "K-4711"), custom);
        assertEquals("2010-06-01", one(p, "X-ZIMBRA-ANNIVERSARY").text());
        assertEquals("xmpp://jo@chat.example", one(p, "X-ZIMBRA-IMADDRESS").text());
    }

    @Test
    void aContactGroupListsItsMembers() {
        String members = BEncode.encode(Map.of("m", List.of(
                Map.of("t", "I", "v", "Anna Schmidt <anna@example.com>"),
                Map.of("t", "C", "v", "301"),
                Map.of("t", "G", "v", "uid=bob,ou=people,dc=example,dc=com"))));
        Map<String, String> f = Map.of("type", "group", "nickname", "Team Süd", "fileAs", "8:Team Süd", "groupMember", members);
        List<Prop> p = read(10, f);
        assertEquals("Team Süd", one(p, "FN").text());
        assertEquals("Team Süd", one(p, "NICKNAME").text());
        assertEquals("group", one(p, "X-ADDRESSBOOKSERVER-KIND").text());
        assertEquals(List.of("mailto:anna@example.com", "urn:uuid:zimbra-contact-301"),
                VcfReader.all(p, "X-ADDRESSBOOKSERVER-MEMBER").stream().map(Prop::text).toList());
        List<Prop> zm = VcfReader.all(p, "X-ZIMBRA-MEMBER");
        assertEquals(List.of("I", "C", "G"), zm.stream().map(x -> x.param("X-TYPE")).toList());
        assertEquals(List.of("Anna Schmidt <anna@example.com>", "301", "uid=bob,ou=people,dc=example,dc=com"),
                zm.stream().map(Prop::text).toList());
        assertEquals(List.of("fileAs"), VcfReader.all(p, "X-ZIMBRA-FIELD").stream().map(x -> x.param("X-NAME")).toList());
    }

    @Test
    void aLegacyDistributionListBecomesMembersAndIsKept() {
        List<Prop> p = read(11, Map.of("type", "group", "nickname", "Alt", "dlist", "a@example.com, \"B\" <b@example.com>"));
        assertEquals(List.of("mailto:a@example.com", "mailto:b@example.com"),
                VcfReader.all(p, "X-ADDRESSBOOKSERVER-MEMBER").stream().map(Prop::text).toList());
        assertEquals("a@example.com, \"B\" <b@example.com>", one(p, "X-ZIMBRA-FIELD").text());
    }

    @Test
    void foldsAt75OctetsWithoutSplittingUtf8() {
        String name = "Проекты-".repeat(12); // 96 chars, 180 bytes: two-byte characters
        String card = VCard.of(7, Map.of("company", name + "😀x"));
        for (String line : card.split("\r\n")) {
            assertTrue(line.getBytes(StandardCharsets.UTF_8).length <= 75, line);
        }
        assertEquals(List.of(name + "😀x"), one(VcfReader.read(card), "ORG").components());
        assertTrue(!card.contains("\uFFFD"));
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
    void aContactWithoutNameFallsBackToItsEmail() {
        List<Prop> p = read(9, Map.of("email", "x@example.com"));
        assertEquals("x@example.com", one(p, "FN").text());
        assertEquals(List.of("", "", "", "", ""), one(p, "N").components());
    }

    @Test
    void aBirthdayWithoutYearAndAnUnparsableOne() {
        Prop bday = one(read(3, Map.of("firstName", "A", "birthday", "--04-02")), "BDAY");
        assertTrue(bday.raw().replace("-", "").equals("0402"), bday.toString());
        Prop odd = one(read(4, Map.of("firstName", "A", "birthday", "im Frühling")), "X-ZIMBRA-FIELD");
        assertEquals("birthday", odd.param("X-NAME"));
        assertEquals("im Frühling", odd.text());
    }
}
