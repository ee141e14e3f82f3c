package org.zmsnap.zimbra;

import ezvcard.VCardVersion;
import ezvcard.io.text.VCardWriter;
import ezvcard.parameter.AddressType;
import ezvcard.parameter.EmailType;
import ezvcard.parameter.TelephoneType;
import ezvcard.property.Address;
import ezvcard.property.Birthday;
import ezvcard.property.Organization;
import ezvcard.property.RawProperty;
import ezvcard.property.StructuredName;
import ezvcard.property.Uid;
import ezvcard.property.Url;
import ezvcard.util.PartialDate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Zimbra contact (the field map under {@code fld} in its mail_item.metadata) as a vCard 3.0 (RFC 2426), written
 * with ez-vcard. Zimbra's own field names are mapped as its own vCard export maps them (names, emails, phones, postal
 * addresses, URLs, company/department, title, notes, birthday, and numbered further values: {@code homePhone2},
 * {@code workStreet2}, {@code email3}); a contact group's members become {@code X-ADDRESSBOOKSERVER-MEMBER} (what Apple
 * Contacts and CardDAV clients read) and {@code X-ZIMBRA-MEMBER} (exactly as stored). Every other field, a user's
 * custom fields included, is kept as {@code X-ZIMBRA-FIELD;X-NAME=<field>:<value>}, so no field Zimbra keeps is lost.
 *
 * <p>Lines end in CRLF and are folded at 75 octets (not characters), never inside a UTF-8 sequence: ez-vcard folds
 * by characters, so its folding is off and {@link #fold} does it.
 */
public final class VCard {
    private static final int MAX_OCTETS = 75;
    private static final String PRODID = "-//zmsnap//restore//EN";

    /** Zimbra phone fields → TEL types, as Zimbra's export writes them (further values numbered from 2). */
    private static final List<Map.Entry<String, List<TelephoneType>>> PHONES = List.of(
            Map.entry("workPhone", List.of(TelephoneType.WORK, TelephoneType.VOICE)),
            Map.entry("homePhone", List.of(TelephoneType.HOME, TelephoneType.VOICE)),
            Map.entry("mobilePhone", List.of(TelephoneType.CELL, TelephoneType.VOICE)),
            Map.entry("otherPhone", List.of(TelephoneType.VOICE)),
            Map.entry("workFax", List.of(TelephoneType.WORK, TelephoneType.FAX)),
            Map.entry("homeFax", List.of(TelephoneType.HOME, TelephoneType.FAX)),
            Map.entry("otherFax", List.of(TelephoneType.FAX)),
            Map.entry("pager", List.of(TelephoneType.PAGER)),
            Map.entry("carPhone", List.of(TelephoneType.CAR, TelephoneType.VOICE)),
            Map.entry("companyPhone", List.of(TelephoneType.WORK, TelephoneType.VOICE, TelephoneType.PREF)),
            Map.entry("assistantPhone", List.of(TelephoneType.WORK, TelephoneType.VOICE)),
            Map.entry("callbackPhone", List.of(TelephoneType.VOICE)));

    private static final List<Map.Entry<String, List<AddressType>>> ADDRESSES = List.of(
            Map.entry("home", List.of(AddressType.HOME, AddressType.POSTAL, AddressType.PARCEL)),
            Map.entry("work", List.of(AddressType.WORK, AddressType.POSTAL, AddressType.PARCEL)),
            Map.entry("other", List.of(AddressType.POSTAL, AddressType.PARCEL)));

    private static final List<Map.Entry<String, String>> URLS = List.of(
            Map.entry("homeURL", "home"), Map.entry("workURL", "work"), Map.entry("otherURL", ""));

    /** Extensions Zimbra's own export writes (and its import reads back). */
    private static final List<Map.Entry<String, String>> ZIMBRA_X = List.of(
            Map.entry("anniversary", "X-ZIMBRA-ANNIVERSARY"), Map.entry("maidenName", "X-ZIMBRA-MAIDENNAME"),
            Map.entry("imAddress", "X-ZIMBRA-IMADDRESS"));

    private VCard() {}

    /** The vCard text; FN is required, so a contact with no name gets its nickname, company, email or id as FN. */
    public static String of(int id, Map<String, String> fields) {
        Fields f = new Fields(fields);
        ezvcard.VCard card = new ezvcard.VCard();
        name(card, f, id);
        for (String key : f.series("email")) {
            card.addEmail(f.take(key), key.equals("email") ? new EmailType[] {EmailType.INTERNET, EmailType.PREF}
                    : new EmailType[] {EmailType.INTERNET});
        }
        for (String key : f.series("workEmail")) {
            card.addEmail(f.take(key), EmailType.INTERNET, EmailType.WORK);
        }
        for (Map.Entry<String, List<TelephoneType>> p : PHONES) {
            for (String key : f.series(p.getKey())) {
                card.addTelephoneNumber(f.take(key), p.getValue().toArray(TelephoneType[]::new));
            }
        }
        for (Map.Entry<String, List<AddressType>> a : ADDRESSES) {
            address(card, f, a.getKey(), a.getValue());
        }
        for (Map.Entry<String, String> u : URLS) {
            for (String key : f.series(u.getKey())) {
                Url url = card.addUrl(f.take(key));
                if (!u.getValue().isEmpty()) {
                    url.setType(u.getValue());
                }
            }
        }
        if (f.has("company") || f.has("department")) {
            Organization org = new Organization();
            org.getValues().add(f.takeOr("company", ""));
            if (f.has("department")) {
                org.getValues().add(f.take("department"));
            }
            card.setOrganization(org);
        }
        if (f.has("jobTitle")) {
            card.addTitle(f.take("jobTitle"));
        }
        if (f.has("notes")) {
            card.addNote(f.take("notes"));
        }
        birthday(card, f);
        group(card, f);
        for (Map.Entry<String, String> x : ZIMBRA_X) {
            for (String key : f.series(x.getKey())) {
                card.addExtendedProperty(x.getValue(), f.take(key));
            }
        }
        card.setUid(new Uid(f.has("vcardUID") ? f.take("vcardUID") : "zimbra-contact-" + id));
        card.setProductId(PRODID);
        // What is left is every field the mappings above do not know: custom fields, fileAs, phonetic names, ...
        for (Map.Entry<String, String> e : f.rest().entrySet()) {
            RawProperty p = card.addExtendedProperty("X-ZIMBRA-FIELD", e.getValue());
            p.getParameters().put("X-NAME", e.getKey());
        }
        return write(card);
    }

    public static byte[] bytes(int id, Map<String, String> fields) {
        return of(id, fields).getBytes(StandardCharsets.UTF_8);
    }

    private static void name(ezvcard.VCard card, Fields f, int id) {
        String first = f.get("firstName");
        String last = f.get("lastName");
        String middle = f.get("middleName");
        String prefix = f.get("namePrefix");
        String suffix = f.get("nameSuffix");
        String fn = f.get("fullName");
        if (fn.isBlank()) {
            fn = String.join(" ", java.util.stream.Stream.of(prefix, first, middle, last, suffix).filter(s -> !s.isBlank()).toList());
        }
        if (fn.isBlank()) {
            // a contact group or a bare address: its nickname (a group's name), company or address names it
            fn = firstNonBlank(f.get("nickname"), f.get("company"), f.get("email"), "contact " + id);
        }
        card.setFormattedName(fn);
        StructuredName n = new StructuredName();
        n.setFamily(last);
        n.setGiven(first);
        if (!middle.isEmpty()) {
            n.getAdditionalNames().add(middle);
        }
        if (!prefix.isEmpty()) {
            n.getPrefixes().add(prefix);
        }
        if (!suffix.isEmpty()) {
            n.getSuffixes().add(suffix);
        }
        card.setStructuredName(n);
        for (String key : List.of("firstName", "lastName", "middleName", "namePrefix", "nameSuffix", "fullName")) {
            f.take(key);
        }
        if (f.has("nickname")) {
            card.setNickname(f.take("nickname"));
        }
    }

    /** homeStreet, homeCity, homeState, homePostalCode, homeCountry (and homeStreet2, ... for a second address). */
    private static void address(ezvcard.VCard card, Fields f, String kind, List<AddressType> types) {
        List<String> parts = List.of("Street", "City", "State", "PostalCode", "Country");
        Set<String> suffixes = new LinkedHashSet<>();
        for (String part : parts) {
            for (String key : f.series(kind + part)) {
                suffixes.add(key.substring((kind + part).length()));
            }
        }
        for (String s : suffixes.stream().sorted(Comparator.comparingInt(x -> x.isEmpty() ? 0 : Integer.parseInt(x))).toList()) {
            Address a = new Address();
            a.setStreetAddress(f.takeOrNull(kind + "Street" + s));
            a.setLocality(f.takeOrNull(kind + "City" + s));
            a.setRegion(f.takeOrNull(kind + "State" + s));
            a.setPostalCode(f.takeOrNull(kind + "PostalCode" + s));
            a.setCountry(f.takeOrNull(kind + "Country" + s));
            a.getTypes().addAll(types);
            card.addAddress(a);
        }
    }

    /** Zimbra keeps yyyy-MM-dd, or --MM-dd without a year; anything else stays a field as it is. */
    private static void birthday(ezvcard.VCard card, Fields f) {
        if (!f.has("birthday")) {
            return;
        }
        String b = f.get("birthday").strip();
        try {
            if (b.matches("\\d{4}-\\d{2}-\\d{2}")) {
                card.setBirthday(new Birthday(LocalDate.parse(b)));
                f.take("birthday");
            } else if (b.matches("--\\d{2}-?\\d{2}")) {
                String md = b.replace("-", "");
                card.setBirthday(new Birthday(PartialDate.builder().month(Integer.parseInt(md.substring(0, 2)))
                        .date(Integer.parseInt(md.substring(2, 4))).build()));
                f.take("birthday");
            }
        } catch (DateTimeParseException | IllegalArgumentException e) {
            // left in the fields: written as X-ZIMBRA-FIELD;X-NAME=birthday, exactly as stored
        }
    }

    /**
     * A contact group: {@code type=group}; its members in {@code groupMember} (Zimbra 8+: an encoded map whose list
     * {@code m} holds one map per member, {@code t} = C a contact of this mailbox, G a GAL entry, I an address typed in,
     * {@code v} its value) or, from older versions, {@code dlist} (addresses separated by commas).
     */
    private static void group(ezvcard.VCard card, Fields f) {
        if (f.get("type").equals("group")) {
            card.addExtendedProperty("X-ADDRESSBOOKSERVER-KIND", "group");
            f.take("type");
        }
        if (f.has("groupMember")) {
            Object members = Metadata.decode(f.get("groupMember")).get("m");
            if (members instanceof List<?> list) {
                f.take("groupMember");
                for (Object o : list) {
                    if (!(o instanceof Map<?, ?> m) || !(m.get("v") instanceof String v)) {
                        continue;
                    }
                    String t = String.valueOf(m.get("t"));
                    RawProperty p = card.addExtendedProperty("X-ZIMBRA-MEMBER", v);
                    p.getParameters().put("X-TYPE", t);
                    if (t.equals("I")) {
                        card.addExtendedProperty("X-ADDRESSBOOKSERVER-MEMBER", "mailto:" + address(v));
                    } else if (t.equals("C") && v.matches("\\d+")) {
                        card.addExtendedProperty("X-ADDRESSBOOKSERVER-MEMBER", "urn:uuid:zimbra-contact-" + v);
                    }
                }
            }
        }
        if (f.has("dlist")) {
            for (String a : f.get("dlist").split(",")) {
                if (!a.isBlank()) {
                    card.addExtendedProperty("X-ADDRESSBOOKSERVER-MEMBER", "mailto:" + address(a));
                }
            }
            // dlist itself stays among the fields (X-ZIMBRA-FIELD), exactly as stored
        }
    }

    private static final Pattern ANGLE = Pattern.compile("<([^<>]+)>");

    /** "Name <a@b>" → a@b; a bare address as it is. */
    private static String address(String v) {
        Matcher m = ANGLE.matcher(v);
        return (m.find() ? m.group(1) : v).strip();
    }

    private static String write(ezvcard.VCard card) {
        StringWriter sw = new StringWriter();
        try (VCardWriter w = new VCardWriter(sw, VCardVersion.V3_0)) {
            w.setAddProdId(false); // the card's own PRODID is written instead of ez-vcard's
            w.setIncludeTrailingSemicolons(true); // N and ADR with all their components, as 3.0 readers expect
            w.getVObjectWriter().getFoldedLineWriter().setLineLength(null);
            w.write(card);
        } catch (IOException e) {
            throw new IllegalStateException("writing a vCard to memory failed", e);
        }
        StringBuilder sb = new StringBuilder();
        for (String line : sw.toString().split("\r\n")) {
            if (!line.isEmpty()) {
                sb.append(fold(line));
            }
        }
        return sb.toString();
    }

    /**
     * One content line, folded: at most 75 octets per physical line (CRLF excluded), continuation lines start
     * with one space, and a fold never falls inside a UTF-8 sequence or a surrogate pair.
     */
    static String fold(String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(line.length() + 16);
        int octets = 0;
        int i = 0;
        while (i < line.length()) {
            int cp = line.codePointAt(i);
            byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            if (octets + b.length > MAX_OCTETS) {
                out.writeBytes(new byte[] {'\r', '\n', ' '});
                octets = 1;
            }
            out.writeBytes(b);
            octets += b.length;
            i += Character.charCount(cp);
        }
        out.writeBytes(new byte[] {'\r', '\n'});
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return "";
    }

    /** The contact's fields, with those already written taken out, so what remains can be kept as X-ZIMBRA-FIELD. */
    private static final class Fields {
        private final Map<String, String> left;

        Fields(Map<String, String> fields) {
            this.left = new TreeMap<>();
            fields.forEach((k, v) -> {
                if (k != null && v != null && !v.isEmpty()) {
                    left.put(k, v);
                }
            });
        }

        boolean has(String key) {
            return left.containsKey(key) && !left.get(key).isBlank();
        }

        String get(String key) {
            return left.getOrDefault(key, "");
        }

        String take(String key) {
            String v = left.remove(key);
            return v == null ? "" : v;
        }

        String takeOr(String key, String dflt) {
            return has(key) ? take(key) : dflt;
        }

        String takeOrNull(String key) {
            return has(key) ? take(key) : null;
        }

        /** base, base1, base2, ... that are present, in number order (Zimbra numbers further values of a field). */
        List<String> series(String base) {
            Pattern p = Pattern.compile(Pattern.quote(base) + "(\\d{0,3})");
            List<String> keys = new ArrayList<>();
            for (String k : left.keySet()) {
                if (p.matcher(k).matches() && has(k)) {
                    keys.add(k);
                }
            }
            keys.sort(Comparator.comparingInt(k -> k.length() == base.length() ? 0 : Integer.parseInt(k.substring(base.length()))));
            return keys;
        }

        Map<String, String> rest() {
            return left;
        }
    }
}
