package org.zmsnap.cli.man;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * A command's man page from its picocli model, the same model that parses the command line and prints
 * {@code --help}: every visible command, option and positional with its description, and the exit codes the command
 * declares ({@code exitCodeList}). So the page cannot fall behind the options.
 */
final class CommandManPage {
    private CommandManPage() {}

    /** Everything a page needs besides the model: its header, files and cross references. */
    record Meta(int section, String date, String version, List<String> environment, List<String> files, List<String> seeAlso) {}

    static String render(CommandSpec root, Meta meta) {
        StringBuilder out = new StringBuilder();
        String name = root.name();
        out.append(".\\\" Generated from zmsnap's picocli command model by org.zmsnap.cli.man.ManPages; do not edit.\n");
        out.append(".TH ").append(name.toUpperCase(Locale.ROOT)).append(' ').append(meta.section()).append(' ')
                .append(Troff.quoted(meta.date())).append(' ').append(Troff.quoted("zmsnap " + meta.version())).append(' ')
                .append(Troff.quoted("System Administration")).append('\n');
        out.append(".SH NAME\n").append(Troff.literal(name)).append(" \\- ")
                .append(Troff.inline(lowerFirst(stripDot(summary(root))))).append('\n');
        out.append(".SH SYNOPSIS\n").append(synopsis(root, !root.subcommands().isEmpty())).append('\n');
        out.append(".SH DESCRIPTION\n");
        paragraphs(out, root.usageMessage().description());
        if (!visibleOptions(root).isEmpty() || !root.positionalParameters().isEmpty()) {
            out.append(".SH ").append(root.subcommands().isEmpty() ? "OPTIONS" : "GLOBAL OPTIONS").append('\n');
            if (!root.subcommands().isEmpty()) {
                out.append(".PP\nThese may come before the command or after it.\n");
            }
            arguments(out, root);
        }
        if (!root.subcommands().isEmpty()) {
            out.append(".SH COMMANDS\n.PP\nEvery command also takes ").append(Troff.bold("--help"))
                    .append(", ").append(Troff.bold("--version")).append(" and ").append(Troff.bold("--verbose"))
                    .append(", as above.\n");
            for (CommandLine sub : root.subcommands().values()) {
                command(out, sub.getCommandSpec());
            }
        }
        List<String> exitCodes = List.of(root.usageMessage().exitCodeList().keySet().toArray(String[]::new));
        if (!exitCodes.isEmpty()) {
            out.append(".SH EXIT STATUS\n");
            root.usageMessage().exitCodeList().forEach((code, meaning) -> out.append(".TP\n.B ").append(Troff.literal(code.strip()))
                    .append('\n').append(Troff.inline(meaning.strip())).append('\n'));
        }
        definitions(out, "ENVIRONMENT", meta.environment());
        definitions(out, "FILES", meta.files());
        if (!meta.seeAlso().isEmpty()) {
            out.append(".SH SEE ALSO\n");
            List<String> refs = new ArrayList<>();
            for (String ref : meta.seeAlso()) {
                int paren = ref.indexOf('(');
                refs.add(paren > 0 ? ".BR " + Troff.literal(ref.substring(0, paren)) + " " + ref.substring(paren) : Troff.inline(ref));
            }
            for (int i = 0; i < refs.size(); i++) {
                String ref = refs.get(i);
                out.append(ref.startsWith(".BR ") && i < refs.size() - 1 ? ref + "," : ref).append('\n');
            }
        }
        return out.toString();
    }

    /** "term: text" pairs as a tagged list. */
    private static void definitions(StringBuilder out, String heading, List<String> entries) {
        if (entries.isEmpty()) {
            return;
        }
        out.append(".SH ").append(heading).append('\n');
        for (String entry : entries) {
            int colon = entry.indexOf(": ");
            out.append(".TP\n.B ").append(Troff.literal(entry.substring(0, colon))).append('\n')
                    .append(Troff.inline(entry.substring(colon + 2))).append('\n');
        }
    }

    /** One subcommand (and, below it, its own subcommands): its synopsis, description and arguments. */
    private static void command(StringBuilder out, CommandSpec spec) {
        if (spec.usageMessage().hidden()) {
            return;
        }
        out.append(".SS ").append(Troff.quoted(spec.qualifiedName())).append('\n');
        out.append(".PP\n").append(synopsis(spec, !spec.subcommands().isEmpty())).append('\n');
        paragraphs(out, spec.usageMessage().description());
        arguments(out, spec);
        for (CommandLine sub : spec.subcommands().values()) {
            command(out, sub.getCommandSpec());
        }
    }

    private static String synopsis(CommandSpec spec, boolean hasCommands) {
        StringBuilder s = new StringBuilder(Troff.bold(spec.qualifiedName()));
        if (!visibleOptions(spec).isEmpty()) {
            s.append(" [\\fIoptions\\fR]");
        }
        if (hasCommands) {
            s.append(" \\fIcommand\\fR [\\fIoptions\\fR]");
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden()) {
                continue;
            }
            String label = Troff.italic(bare(p.paramLabel())) + (p.arity().isVariable() ? "..." : "");
            s.append(' ').append(p.arity().min() == 0 ? "[" + label + "]" : label);
        }
        return s.toString();
    }

    private static void arguments(StringBuilder out, CommandSpec spec) {
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden()) {
                out.append(".TP\n").append(Troff.italic(bare(p.paramLabel()))).append('\n');
                description(out, p.renderedDescription());
            }
        }
        for (OptionSpec o : visibleOptions(spec)) {
            out.append(".TP\n").append(optionTerm(o)).append('\n');
            description(out, o.renderedDescription());
        }
    }

    /**
     * A command's own options; below the root, the help and version options and inherited ones (--verbose) are left
     * out: they are the same everywhere and described once, under GLOBAL OPTIONS.
     */
    static List<OptionSpec> visibleOptions(CommandSpec spec) {
        return spec.options().stream().filter(o -> !o.hidden())
                .filter(o -> spec.parent() == null || !(o.usageHelp() || o.versionHelp() || o.inherited())).toList();
    }

    /** {@code \fB\-c\fR, \fB\-\-config\fR=\fIFILE\fR}, or just the names of a flag. */
    private static String optionTerm(OptionSpec o) {
        List<String> names = new ArrayList<>();
        for (String n : o.names()) {
            names.add(Troff.bold(n));
        }
        String term = String.join(", ", names);
        return o.arity().max() > 0 ? term + "=" + Troff.italic(bare(o.paramLabel())) : term;
    }

    /** picocli writes a positional's default label as {@code <name>}: the angle brackets are not part of it. */
    private static String bare(String label) {
        return label.startsWith("<") && label.endsWith(">") ? label.substring(1, label.length() - 1) : label;
    }

    private static void description(StringBuilder out, String[] lines) {
        String[] paras = paragraphsOf(lines);
        for (int i = 0; i < paras.length; i++) {
            if (i > 0) {
                out.append(".br\n");
            }
            out.append(Troff.inline(paras[i])).append('\n');
        }
    }

    private static void paragraphs(StringBuilder out, String[] lines) {
        for (String p : paragraphsOf(lines)) {
            if (!p.isBlank()) {
                out.append(".PP\n").append(Troff.inline(p)).append('\n');
            }
        }
    }

    /**
     * Description lines as paragraphs: our descriptions split sentences over array elements where the source line
     * was long (as {@code HelpLayout} joins them for --help), and {@code %n} is picocli's line break.
     */
    static String[] paragraphsOf(String[] lines) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : lines) {
            String[] pieces = line.split("%n", -1);
            for (int i = 0; i < pieces.length; i++) {
                String piece = pieces[i].strip();
                if (!piece.isEmpty()) {
                    cur.append(cur.length() == 0 ? "" : " ").append(piece);
                }
                boolean lineBreak = i < pieces.length - 1;
                boolean sentenceEnd = i == pieces.length - 1 && cur.toString().matches("(?s).*[.:!?]");
                if ((lineBreak || sentenceEnd || line.isEmpty()) && cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out.toArray(String[]::new);
    }

    private static String summary(CommandSpec spec) {
        String[] d = paragraphsOf(spec.usageMessage().description());
        return d.length == 0 ? spec.name() : d[0].split("(?<=\\.)\\s", 2)[0];
    }

    private static String stripDot(String s) {
        return s.endsWith(".") || s.endsWith(":") ? s.substring(0, s.length() - 1) : s;
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() || Character.isUpperCase(s.charAt(1 < s.length() ? 1 : 0)) ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
