package org.zmsnap.restore.target.imap;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * IMAP's modified UTF-7 for mailbox names (RFC 3501 section 5.1.3): printable ASCII stands for
 * itself except '&amp;', which becomes "&amp;-"; any other run of characters is UTF-16BE in base64
 * with ',' instead of '/', no padding, between '&amp;' and '-'.
 */
public final class ModifiedUtf7 {
    private ModifiedUtf7() {}

    public static String encode(String name) {
        StringBuilder out = new StringBuilder(name.length() + 8);
        StringBuilder pending = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 0x20 && c <= 0x7e) {
                flush(pending, out);
                out.append(c == '&' ? "&-" : String.valueOf(c));
            } else {
                pending.append(c);
            }
        }
        flush(pending, out);
        return out.toString();
    }

    private static void flush(StringBuilder pending, StringBuilder out) {
        if (pending.length() == 0) {
            return;
        }
        byte[] utf16 = pending.toString().getBytes(StandardCharsets.UTF_16BE);
        out.append('&')
                .append(Base64.getEncoder().withoutPadding().encodeToString(utf16).replace('/', ','))
                .append('-');
        pending.setLength(0);
    }

    /** Decodes a name as a server sends it; rejects what no conforming encoder produces. */
    public static String decode(String encoded) {
        StringBuilder out = new StringBuilder(encoded.length());
        int i = 0;
        while (i < encoded.length()) {
            char c = encoded.charAt(i);
            if (c != '&') {
                if (c < 0x20 || c > 0x7e) {
                    throw new IllegalArgumentException("not modified UTF-7 (raw non-ASCII): " + encoded);
                }
                out.append(c);
                i++;
                continue;
            }
            int end = encoded.indexOf('-', i + 1);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated '&' shift in mailbox name: " + encoded);
            }
            if (end == i + 1) {
                out.append('&');
            } else {
                byte[] utf16 = Base64.getDecoder().decode(encoded.substring(i + 1, end).replace(',', '/'));
                if (utf16.length % 2 != 0) {
                    throw new IllegalArgumentException("odd UTF-16 length in mailbox name: " + encoded);
                }
                out.append(new String(utf16, StandardCharsets.UTF_16BE));
            }
            i = end + 1;
        }
        return out.toString();
    }
}
