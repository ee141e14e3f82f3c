package org.zmsnap.zimbra;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.parser.AbstractContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.MimeConfig;

/**
 * The iCalendar text Zimbra stored for an appointment or a task. Its blob is the invite as MIME (one message per
 * invite: often multipart/alternative with text/plain, text/html and text/calendar; an item with exceptions or several
 * invites has one such message per invite, attached) or, from some importers, the iCalendar text itself. Nothing is
 * converted: the text/calendar parts are taken as stored, transfer encoding and charset decoded by Mime4j, in UTF-8
 * (iCalendar's charset). Several parts become one VCALENDAR: the first part's calendar properties (VERSION, PRODID,
 * METHOD) and every part's components in order, a VTIMEZONE or a component repeated verbatim only once.
 */
public final class CalendarData {
    private static final MimeConfig CONFIG = MimeConfig.custom().setMaxLineLen(-1).setMaxHeaderLen(-1).setMaxHeaderCount(-1)
            .setMaxContentLen(-1).setStrictParsing(false).build();

    private static final java.util.regex.Pattern CHARSET_PARAM = java.util.regex.Pattern.compile("(?i);\\s*charset\\s*=");

    private CalendarData() {}

    /** The VCALENDAR, or empty when the blob is neither iCalendar nor MIME with a text/calendar part. */
    public static Optional<byte[]> ics(byte[] blob) {
        if (isCalendar(blob)) {
            return Optional.of(blob);
        }
        List<String> parts = parts(blob);
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        if (parts.size() == 1) {
            return Optional.of(parts.get(0).getBytes(StandardCharsets.UTF_8));
        }
        return Optional.of(merge(parts).getBytes(StandardCharsets.UTF_8));
    }

    /** Is this iCalendar text already (a UTF-8 byte order mark and leading white space allowed)? */
    public static boolean isCalendar(byte[] content) {
        return content != null && isCalendar(new String(content, 0, Math.min(content.length, 64), StandardCharsets.UTF_8));
    }

    private static boolean isCalendar(String head) {
        String s = head.startsWith("\uFEFF") ? head.substring(1) : head;
        return s.stripLeading().toUpperCase(Locale.ROOT).startsWith("BEGIN:VCALENDAR");
    }

    /** Every text/calendar part that holds a VCALENDAR, decoded, in the order of the MIME tree. */
    private static List<String> parts(byte[] mime) {
        List<String> out = new ArrayList<>();
        MimeStreamParser parser = new MimeStreamParser(CONFIG);
        parser.setContentDecoding(true);
        parser.setRecurse();
        parser.setContentHandler(new AbstractContentHandler() {
            /** The current entity's Content-Type as written: MIME's default charset is not iCalendar's. */
            private String contentType = "";

            @Override
            public void startHeader() {
                contentType = "";
            }

            @Override
            public void field(org.apache.james.mime4j.stream.Field field) {
                if (field.getName().equalsIgnoreCase("Content-Type")) {
                    contentType = field.getBody();
                }
            }

            @Override
            public void body(BodyDescriptor bd, InputStream in) throws IOException {
                if (bd.getMimeType().equalsIgnoreCase("text/calendar")) {
                    // without a charset parameter, iCalendar's own default (UTF-8), not MIME's us-ascii
                    String text = new String(in.readAllBytes(), 
                            CHARSET_PARAM.matcher(contentType).find() ? charset(bd.getCharset()) : StandardCharsets.UTF_8);
                    if (isCalendar(text)) {
                        out.add(text.startsWith("\uFEFF") ? text.substring(1) : text);
                    }
                }
            }
        });
        try {
            parser.parse(new ByteArrayInputStream(mime));
        } catch (MimeException | IOException | RuntimeException e) {
            // a damaged tail: what was found before it is still the item's calendar data
        }
        return out;
    }

    private static Charset charset(String name) {
        return BodyText.charset(name);
    }

    /**
     * One VCALENDAR from several: lines are kept as they are (folded continuation lines stay with their line), only
     * the nesting of BEGIN/END is read.
     */
    static String merge(List<String> calendars) {
        List<String> head = new ArrayList<>();
        Set<String> components = new LinkedHashSet<>();
        Set<String> timezones = new java.util.HashSet<>();
        boolean first = true;
        for (String cal : calendars) {
            int depth = 0;
            StringBuilder comp = null;
            String tzid = null;
            for (String line : cal.split("\r?\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                String upper = line.toUpperCase(Locale.ROOT);
                boolean continuation = line.charAt(0) == ' ' || line.charAt(0) == '\t';
                if (!continuation && upper.startsWith("BEGIN:")) {
                    depth++;
                    if (depth == 2) {
                        comp = new StringBuilder();
                        tzid = null;
                    }
                }
                if (depth >= 2 && comp != null) {
                    comp.append(line).append("\r\n");
                    if (depth == 2 && upper.startsWith("TZID:") && upper.length() > 5) {
                        tzid = line.substring(5).strip();
                    }
                } else if (depth == 1 && first && !upper.startsWith("BEGIN:VCALENDAR") && !upper.startsWith("END:VCALENDAR")) {
                    head.add(line);
                }
                if (!continuation && upper.startsWith("END:")) {
                    if (depth == 2 && comp != null) {
                        String c = comp.toString();
                        boolean timezone = c.toUpperCase(Locale.ROOT).startsWith("BEGIN:VTIMEZONE");
                        if (!timezone || tzid == null || timezones.add(tzid)) {
                            components.add(c);
                        }
                        comp = null;
                    }
                    depth--;
                }
            }
            first = false;
        }
        StringBuilder sb = new StringBuilder("BEGIN:VCALENDAR\r\n");
        head.forEach(l -> sb.append(l).append("\r\n"));
        // time zones first, as writers put them, so a reader knows each TZID before it is used
        components.stream().filter(c -> c.toUpperCase(Locale.ROOT).startsWith("BEGIN:VTIMEZONE")).forEach(sb::append);
        components.stream().filter(c -> !c.toUpperCase(Locale.ROOT).startsWith("BEGIN:VTIMEZONE")).forEach(sb::append);
        return sb.append("END:VCALENDAR\r\n").toString();
    }
}
