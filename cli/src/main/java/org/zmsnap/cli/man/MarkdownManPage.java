package org.zmsnap.cli.man;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A man page from one of zmsnap's markdown docs (zmsnap.yaml(5) from docs/configuration.md), so the reference is
 * written once. Handles what those docs use: headings, paragraphs, bullet lists, fenced code and tables; a table
 * becomes a tagged list (first column the tag, the others its text), which reads better than tbl at 80 columns.
 */
final class MarkdownManPage {
    private MarkdownManPage() {}

    record Meta(String name, int section, String summary, String synopsis, String date, String version, List<String> seeAlso) {}

    static String render(String markdown, Meta meta) {
        StringBuilder out = new StringBuilder();
        out.append(".\\\" Generated from docs/configuration.md by org.zmsnap.cli.man.ManPages; do not edit.\n");
        out.append(".TH ").append(meta.name().toUpperCase(Locale.ROOT)).append(' ').append(meta.section()).append(' ')
                .append(Troff.quoted(meta.date())).append(' ').append(Troff.quoted("zmsnap " + meta.version())).append(' ')
                .append(Troff.quoted("File Formats")).append('\n');
        out.append(".SH NAME\n").append(Troff.literal(meta.name())).append(" \\- ").append(Troff.inline(meta.summary())).append('\n');
        out.append(".SH SYNOPSIS\n").append(Troff.inline(meta.synopsis())).append('\n');
        out.append(".SH DESCRIPTION\n");
        body(markdown, out);
        out.append(".SH SEE ALSO\n");
        for (int i = 0; i < meta.seeAlso().size(); i++) {
            String ref = meta.seeAlso().get(i);
            int paren = ref.indexOf('(');
            out.append(".BR ").append(Troff.literal(ref.substring(0, paren))).append(' ').append(ref.substring(paren))
                    .append(i < meta.seeAlso().size() - 1 ? "," : "").append('\n');
        }
        out.append(".PP\nThe full manual, with the pages this one links to: \\fI/usr/share/doc/zmsnap/\\fR.\n");
        return out.toString();
    }

    private static void body(String markdown, StringBuilder out) {
        List<String> lines = markdown.lines().toList();
        List<String> paragraph = new ArrayList<>();
        boolean skippedTitle = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String t = line.strip();
            if (t.startsWith("```")) {
                flush(paragraph, out);
                out.append(".PP\n.RS 4\n.nf\n");
                for (i++; i < lines.size() && !lines.get(i).strip().startsWith("```"); i++) {
                    out.append(Troff.lineSafe(Troff.escape(lines.get(i)))).append('\n');
                }
                out.append(".fi\n.RE\n");
            } else if (t.startsWith("#")) {
                flush(paragraph, out);
                int level = t.indexOf(' ');
                String title = t.substring(level + 1).strip();
                if (level == 1 && !skippedTitle) {
                    skippedTitle = true;           // the document's title: the page has NAME instead
                } else if (level <= 2) {
                    out.append(".SH ").append(Troff.quoted(title.toUpperCase(Locale.ROOT).replace("`", ""))).append('\n');
                } else {
                    out.append(".SS ").append(Troff.quoted(title.replace("`", ""))).append('\n');
                }
            } else if (t.startsWith("|")) {
                flush(paragraph, out);
                List<String> table = new ArrayList<>();
                for (; i < lines.size() && lines.get(i).strip().startsWith("|"); i++) {
                    table.add(lines.get(i).strip());
                }
                i--;
                table(table, out);
            } else if (t.startsWith("* ") || t.startsWith("- ")) {
                flush(paragraph, out);
                StringBuilder item = new StringBuilder(t.substring(2));
                while (i + 1 < lines.size() && lines.get(i + 1).startsWith("  ") && !lines.get(i + 1).isBlank()) {
                    item.append(' ').append(lines.get(++i).strip());
                }
                out.append(".IP \\(bu 2\n").append(Troff.inline(item.toString())).append('\n');
            } else if (t.isEmpty()) {
                flush(paragraph, out);
            } else {
                paragraph.add(t);
            }
        }
        flush(paragraph, out);
    }

    private static void flush(List<String> paragraph, StringBuilder out) {
        if (!paragraph.isEmpty()) {
            out.append(".PP\n");
            for (String l : paragraph) {
                out.append(Troff.inline(l)).append('\n');
            }
            paragraph.clear();
        }
    }

    /** Header, separator, rows: each row a tagged paragraph, the other columns named by their header. */
    private static void table(List<String> rows, StringBuilder out) {
        List<String> header = cells(rows.get(0));
        for (String row : rows.subList(Math.min(2, rows.size()), rows.size())) {
            List<String> c = cells(row);
            out.append(".TP\n").append(Troff.inline(c.get(0))).append('\n');
            List<String> parts = new ArrayList<>();
            for (int k = 1; k < c.size(); k++) {
                boolean last = k == c.size() - 1 && k > 1;
                String h = k < header.size() ? header.get(k) : "";
                if (!last && c.get(k).equals("\u2014")) {
                    continue;                      // "—": no default, nothing to say
                }
                parts.add(last || h.isEmpty() ? c.get(k) : capitalize(h) + ": " + c.get(k));
            }
            out.append(Troff.inline(String.join(". ", parts))).append('\n');
        }
    }

    /** A table row's cells; a | inside a code span is content, not a column break. */
    static List<String> cells(String row) {
        List<String> cells = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean code = false;
        String inner = row.substring(1, row.endsWith("|") && row.length() > 1 ? row.length() - 1 : row.length());
        for (char ch : inner.toCharArray()) {
            if (ch == '`') {
                code = !code;
            }
            if (ch == '|' && !code) {
                cells.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        cells.add(cur.toString().strip());
        return cells;
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
