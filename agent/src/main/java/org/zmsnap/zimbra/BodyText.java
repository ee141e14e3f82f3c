package org.zmsnap.zimbra;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.parser.AbstractContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.util.CharsetUtil;

/**
 * Does a message contain a phrase, as its reader sees it? The subject (encoded words decoded) and every
 * {@code text/*} part, in attached messages too, with its transfer encoding and charset decoded by Mime4j; HTML
 * parts without their tags. Any case. Stops reading at the first hit.
 */
public final class BodyText {
    /** Mail in the wild breaks every limit; a search must still read it. */
    private static final MimeConfig CONFIG = MimeConfig.custom().setMaxLineLen(-1).setMaxHeaderLen(-1).setMaxHeaderCount(-1)
            .setMaxContentLen(-1).setStrictParsing(false).build();
    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    private static final Pattern SPACE = Pattern.compile("\\s+");

    private BodyText() {}

    /** What reading one message for a phrase gave. */
    public sealed interface Match {
        record Found() implements Match {}
        record NotFound() implements Match {}
        /** The MIME could not be parsed at all (a part that merely is odd is read as well as it can be). */
        record Unreadable(String why) implements Match {}
    }

    /** @param phrase matched in in any case, white space runs as one space */
    public static Match contains(byte[] message, String phrase) {
        String needle = normal(phrase);
        boolean[] found = {false};
        MimeStreamParser parser = new MimeStreamParser(CONFIG);
        parser.setContentDecoding(true);
        parser.setRecurse();
        parser.setContentHandler(new AbstractContentHandler() {
            @Override
            public void field(Field field) {
                if (!found[0] && field.getName().equalsIgnoreCase("Subject")
                        && normal(DecoderUtil.decodeEncodedWords(field.getBody(), DecodeMonitor.SILENT)).contains(needle)) {
                    hit();
                }
            }

            @Override
            public void body(BodyDescriptor bd, InputStream in) throws IOException {
                if (found[0] || !bd.getMimeType().toLowerCase(Locale.ROOT).startsWith("text/")) {
                    return;
                }
                String text = new String(in.readAllBytes(), charset(bd.getCharset()));
                if (bd.getMimeType().equalsIgnoreCase("text/html")) {
                    text = TAG.matcher(text).replaceAll(" ").replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
                }
                if (normal(text).contains(needle)) {
                    hit();
                }
            }

            private void hit() {
                found[0] = true;
                parser.stop();
            }
        });
        try {
            parser.parse(new ByteArrayInputStream(message));
        } catch (MimeException | IOException | RuntimeException e) {
            if (!found[0]) {
                return new Match.Unreadable(e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
        return found[0] ? new Match.Found() : new Match.NotFound();
    }

    /** Any case, and any run of white space as one space: a phrase wrapped across lines or split by markup still matches. */
    static String normal(String s) {
        return SPACE.matcher(s.toLowerCase(Locale.ROOT)).replaceAll(" ");
    }

    /** The part's charset, or, when unknown to Java, what most such mail really is (a wrong label on UTF-8 text). */
    static Charset charset(String name) {
        Charset c = name == null ? null : CharsetUtil.lookup(name);
        return c != null ? c : StandardCharsets.UTF_8;
    }
}
