package org.zmsnap.salvage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The text/calendar part of an appointment's or task's blob. Zimbra stores a calendar item's invites as MIME
 * (one message per invite, often multipart/alternative with text/plain, text/html and text/calendar); the iCalendar
 * text is what a calendar client imports. Only the first text/calendar part is taken, decoded from base64 or
 * quoted-printable.
 */
final class CalendarPart {
    private static final int MAX_DEPTH = 10;

    private CalendarPart() {}

    static Optional<byte[]> extract(byte[] mime) {
        return find(new String(mime, StandardCharsets.ISO_8859_1), 0);
    }

    /** {@code entity} is one MIME entity, bytes as ISO-8859-1 chars so offsets are byte offsets. */
    private static Optional<byte[]> find(String entity, int depth) {
        if (depth > MAX_DEPTH) {
            return Optional.empty();
        }
        int split = headerEnd(entity);
        String headers = split < 0 ? entity : entity.substring(0, split);
        String body = split < 0 ? "" : entity.substring(split).replaceFirst("^\r?\n\r?\n|^\r?\n", "");
        String type = header(headers, "content-type").orElse("text/plain");
        String mediaType = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (mediaType.equals("text/calendar")) {
            String cte = header(headers, "content-transfer-encoding").orElse("7bit").strip().toLowerCase(Locale.ROOT);
            return Optional.of(decode(body, cte));
        }
        if (mediaType.startsWith("multipart/")) {
            Optional<String> boundary = parameter(type, "boundary");
            if (boundary.isEmpty()) {
                return Optional.empty();
            }
            for (String part : parts(body, boundary.get())) {
                Optional<byte[]> found = find(part, depth + 1);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    private static int headerEnd(String s) {
        if (s.startsWith("\r\n") || s.startsWith("\n")) {
            return 0;
        }
        int crlf = s.indexOf("\r\n\r\n");
        int lf = s.indexOf("\n\n");
        if (crlf < 0) {
            return lf;
        }
        return lf < 0 ? crlf : Math.min(crlf, lf);
    }

    /** An unfolded header's value, first occurrence, any case. */
    static Optional<String> header(String headers, String name) {
        String unfolded = headers.replaceAll("\r?\n[ \t]+", " ");
        for (String line : unfolded.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                return Optional.of(line.substring(colon + 1).strip());
            }
        }
        return Optional.empty();
    }

    static Optional<String> parameter(String headerValue, String name) {
        for (String p : headerValue.split(";")) {
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).strip().equalsIgnoreCase(name)) {
                String v = p.substring(eq + 1).strip();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** The body parts between "--boundary" delimiter lines, up to the closing "--boundary--". */
    private static List<String> parts(String body, String boundary) {
        List<String> out = new ArrayList<>();
        String delimiter = "--" + boundary;
        String[] lines = body.split("(?<=\n)");
        StringBuilder cur = null;
        for (String line : lines) {
            String bare = line.replaceAll("[\r\n]+$", "");
            if (bare.equals(delimiter) || bare.equals(delimiter + "--")) {
                if (cur != null) {
                    // the line break before a delimiter belongs to the delimiter
                    out.add(cur.toString().replaceFirst("\r?\n$", ""));
                }
                if (bare.endsWith("--") && bare.equals(delimiter + "--")) {
                    return out;
                }
                cur = new StringBuilder();
            } else if (cur != null) {
                cur.append(line);
            }
        }
        if (cur != null && !cur.isEmpty()) {
            out.add(cur.toString());
        }
        return out;
    }

    private static byte[] decode(String body, String cte) {
        byte[] raw = body.getBytes(StandardCharsets.ISO_8859_1);
        if (cte.equals("base64")) {
            try {
                return Base64.getMimeDecoder().decode(raw);
            } catch (IllegalArgumentException e) {
                return raw; // damaged base64: the raw text is still better than nothing
            }
        }
        if (cte.equals("quoted-printable")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
            for (int i = 0; i < raw.length; i++) {
                byte b = raw[i];
                if (b == '=' && i + 1 < raw.length && (raw[i + 1] == '\n' || raw[i + 1] == '\r')) {
                    i += raw[i + 1] == '\r' && i + 2 < raw.length && raw[i + 2] == '\n' ? 2 : 1; // soft line break
                } else if (b == '=' && i + 2 < raw.length && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
                    out.write(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
                    i += 2;
                } else {
                    out.write(b);
                }
            }
            return out.toByteArray();
        }
        return raw;
    }

    private static int hex(byte b) {
        return Character.digit((char) b, 16);
    }
}
