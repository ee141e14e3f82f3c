package org.zmsnap.restore;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Zimbra contact (its mail_item.metadata fields) as a vCard 3.0 (RFC 2426): FN, N, EMAIL, TEL, ORG, TITLE,
 * NOTE where present. Text values are escaped (backslash, comma, semicolon, newline) and lines folded at 75
 * octets without splitting a UTF-8 sequence; lines end in CRLF. Clients (Zimbra's own import, Thunderbird,
 * Apple Contacts, Outlook) read this version.
 */
public final class VCard {
    private static final int MAX_OCTETS = 75;

    /** Zimbra field names → TEL TYPE parameters. */
    private static final List<Map.Entry<String, String>> PHONES = List.of(
            Map.entry("workPhone", "WORK,VOICE"), Map.entry("workPhone2", "WORK,VOICE"),
            Map.entry("homePhone", "HOME,VOICE"), Map.entry("homePhone2", "HOME,VOICE"),
            Map.entry("mobilePhone", "CELL"), Map.entry("otherPhone", "VOICE"),
            Map.entry("workFax", "WORK,FAX"), Map.entry("homeFax", "HOME,FAX"),
            Map.entry("pager", "PAGER"), Map.entry("carPhone", "CAR"), Map.entry("companyPhone", "WORK,VOICE"));

    private VCard() {}

    /** The vCard text; FN is required, so a contact with no name gets its nickname, company, email or id as FN. */
    public static String of(int id, Map<String, String> f) {
        List<String> lines = new ArrayList<>();
        lines.add("BEGIN:VCARD");
        lines.add("VERSION:3.0");
        String first = f.getOrDefault("firstName", "");
        String last = f.getOrDefault("lastName", "");
        String middle = f.getOrDefault("middleName", "");
        String fn = f.getOrDefault("fullName", "");
        if (fn.isBlank()) {
            fn = String.join(" ", List.of(f.getOrDefault("namePrefix", ""), first, middle, last, f.getOrDefault("nameSuffix", ""))
                    .stream().filter(s -> !s.isBlank()).toList());
        }
        if (fn.isBlank()) {
            // a contact group or a bare address: its nickname (a group's name), company or address names it
            fn = firstNonBlank(f.get("nickname"), f.get("company"), f.get("email"), "contact " + id);
        }
        lines.add("FN:" + text(fn));
        // N is required in 3.0: family;given;additional;prefix;suffix
        lines.add("N:" + text(last) + ";" + text(first) + ";" + text(middle) + ";" + text(f.getOrDefault("namePrefix", ""))
                + ";" + text(f.getOrDefault("nameSuffix", "")));
        if (!f.getOrDefault("nickname", "").isBlank()) {
            lines.add("NICKNAME:" + text(f.get("nickname")));
        }
        for (String key : emailKeys(f)) {
            lines.add("EMAIL;TYPE=INTERNET" + (key.equals("email") ? ",PREF" : "") + ":" + text(f.get(key)));
        }
        for (Map.Entry<String, String> p : PHONES) {
            String v = f.get(p.getKey());
            if (v != null && !v.isBlank()) {
                lines.add("TEL;TYPE=" + p.getValue() + ":" + text(v));
            }
        }
        String company = f.getOrDefault("company", "");
        String department = f.getOrDefault("department", "");
        if (!company.isBlank() || !department.isBlank()) {
            lines.add("ORG:" + text(company) + (department.isBlank() ? "" : ";" + text(department)));
        }
        if (!f.getOrDefault("jobTitle", "").isBlank()) {
            lines.add("TITLE:" + text(f.get("jobTitle")));
        }
        if (!f.getOrDefault("notes", "").isBlank()) {
            lines.add("NOTE:" + text(f.get("notes")));
        }
        lines.add("UID:zimbra-contact-" + id);
        lines.add("END:VCARD");
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(fold(l));
        }
        return sb.toString();
    }

    public static byte[] bytes(int id, Map<String, String> fields) {
        return of(id, fields).getBytes(StandardCharsets.UTF_8);
    }

    /** email, email2, email3, ... in that order (Zimbra numbers further addresses). */
    private static List<String> emailKeys(Map<String, String> f) {
        List<String> keys = new ArrayList<>();
        if (f.get("email") != null && !f.get("email").isBlank()) {
            keys.add("email");
        }
        for (int i = 2; i < 100; i++) {
            String v = f.get("email" + i);
            if (v != null && !v.isBlank()) {
                keys.add("email" + i);
            }
        }
        return keys;
    }

    /** RFC 2426 4.1 / 6350 3.4: backslash, comma, semicolon and line breaks are escaped in text values. */
    static String text(String v) {
        if (v == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case ',' -> sb.append("\\,");
                case ';' -> sb.append("\\;");
                case '\r' -> {
                    if (i + 1 < v.length() && v.charAt(i + 1) == '\n') {
                        i++;
                    }
                    sb.append("\\n");
                }
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
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
}
