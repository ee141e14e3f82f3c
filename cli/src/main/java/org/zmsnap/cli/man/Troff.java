package org.zmsnap.cli.man;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text into man(7) source: escapes what troff would read as a request or an escape, and turns the little markdown
 * zmsnap's descriptions and docs use ({@code `code`}, {@code **bold**}, {@code *italic*}, links) into font changes.
 */
final class Troff {
    private Troff() {}

    private static final Pattern BOLD = Pattern.compile("\\*\\*(.+?)\\*\\*");
    private static final Pattern ITALIC = Pattern.compile("(?<![*\\w])\\*(?![\\s*])(.+?)(?<![\\s*])\\*(?![*\\w])");
    private static final Pattern LINK = Pattern.compile("\\[([^\\]]+)]\\(([^)\\s]+)\\)");

    /** Plain text: a backslash printed as such; hyphens stay hyphens (prose). */
    static String escape(String s) {
        return s.replace("\\", "\\e");
    }

    /** A literal (an option name, a command, a code span): hyphens are minus signs there, so a copied option works. */
    static String literal(String s) {
        return escape(s).replace("-", "\\-");
    }

    /** Bold literal, e.g. an option name: {@code \fB\-\-config\fR}. */
    static String bold(String s) {
        return "\\fB" + literal(s) + "\\fR";
    }

    static String italic(String s) {
        return "\\fI" + escape(s) + "\\fR";
    }

    /**
     * One line of markdown prose into troff: code spans bold (their content literal), emphasis, links as their text
     * (a web link keeps its address in angle brackets). The result is one output line, made safe to start a line.
     */
    static String inline(String markdown) {
        StringBuilder out = new StringBuilder();
        String[] parts = markdown.split("`", -1);
        for (int i = 0; i < parts.length; i++) {
            boolean code = i % 2 == 1 && i < parts.length - 1;   // an unpaired last backtick is text
            if (code) {
                out.append(bold(parts[i]));
            } else {
                String text = (i % 2 == 1 ? "`" : "") + parts[i];
                out.append(prose(text));
            }
        }
        return lineSafe(out.toString());
    }

    private static String prose(String text) {
        Matcher link = LINK.matcher(text);
        StringBuilder linked = new StringBuilder();
        while (link.find()) {
            String target = link.group(2);
            String replacement = target.startsWith("http") ? link.group(1) + " <" + target + ">" : link.group(1);
            link.appendReplacement(linked, Matcher.quoteReplacement(replacement));
        }
        link.appendTail(linked);
        String s = escape(linked.toString());
        s = BOLD.matcher(s).replaceAll("\\\\fB$1\\\\fR");
        s = ITALIC.matcher(s).replaceAll("\\\\fI$1\\\\fR");
        return s;
    }

    /** A line starting with "." or "'" would be a request: a zero-width character in front makes it text. */
    static String lineSafe(String line) {
        return line.startsWith(".") || line.startsWith("'") ? "\\&" + line : line;
    }

    /** A quoted macro argument (.SS, .TH): inner quotes doubled, as groff reads them. */
    static String quoted(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
