package org.zmsnap.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.zmsnap.exec.ShellQuote;

/**
 * The executable blocks of a guide (docs/install-dr.md): each fenced block follows a marker
 * {@code <!-- test: ID on=HOST ACTION -->} that says which host's files it uses and whether it is run, appended to a
 * file, or only shown. The marker format is documented at the top of the guide, for its maintainers.
 */
final class DocSnippets {
    private static final Pattern MARKER = Pattern.compile(
            "<!-- test: ([a-z]+-[0-9]+) on=(mbox|dr) (run|append=(\\S+)|skip: (.+?)) -->");
    private static final Pattern REDIRECT = Pattern.compile("^(.*?)\\s+(>>?)\\s+(\\S+)$");

    private DocSnippets() {}

    sealed interface Action {
        record Run() implements Action {}

        record Append(String path) implements Action {}

        record Skip(String reason) implements Action {}
    }

    /** One marked fenced block: {@code line} is its marker's line (1-based), for messages. */
    record Block(String id, String host, Action action, String text, int line) {
        /** The mode the block belongs to: {@code common}, {@code push} or {@code pull}. */
        String mode() {
            return id.substring(0, id.indexOf('-'));
        }
    }

    /** Standard output to a file, the one piece of shell syntax a guide line may use; the test does it. */
    record Redirect(String file, boolean append) {}

    record Command(List<String> argv, Optional<Redirect> stdout) {}

    /** Every fenced block with its marker; a fence without a marker, or a marker without a fence, is an error. */
    static List<Block> parse(String markdown) {
        List<Block> blocks = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        String[] lines = markdown.split("\n", -1);
        Matcher pending = null;
        int pendingLine = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("```")) {
                if (pending == null) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": a fenced block without a '<!-- test: … -->' marker");
                }
                StringBuilder text = new StringBuilder();
                int j = i + 1;
                while (j < lines.length && !lines[j].strip().equals("```")) {
                    text.append(lines[j]).append('\n');
                    j++;
                }
                if (j == lines.length) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": the fenced block is not closed");
                }
                String id = pending.group(1);
                if (!ids.add(id)) {
                    throw new IllegalArgumentException("line " + pendingLine + ": the block id " + id + " is used twice");
                }
                Action action = pending.group(4) != null ? new Action.Append(pending.group(4))
                        : pending.group(5) != null ? new Action.Skip(pending.group(5)) : new Action.Run();
                Block b = new Block(id, pending.group(2), action, text.toString(), pendingLine);
                if (!Set.of("common", "push", "pull").contains(b.mode())) {
                    throw new IllegalArgumentException("line " + pendingLine + ": block id " + id + " must start with common-, push- or pull-");
                }
                blocks.add(b);
                pending = null;
                i = j;
            } else if (line.startsWith("<!-- test:")) {
                Matcher m = MARKER.matcher(line);
                if (!m.matches()) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": a malformed marker: " + line);
                }
                pending = m;
                pendingLine = i + 1;
            } else if (!line.isEmpty() && pending != null) {
                throw new IllegalArgumentException("line " + pendingLine + ": the marker is not followed by a fenced block");
            }
        }
        if (pending != null) {
            throw new IllegalArgumentException("line " + pendingLine + ": the marker is not followed by a fenced block");
        }
        return blocks;
    }

    /** A run block's commands: one a line, blank lines and {@code #} comments skipped, split as ShellQuote does. */
    static List<Command> commands(String text) {
        List<Command> out = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher r = REDIRECT.matcher(line);
            Optional<Redirect> redirect = Optional.empty();
            if (r.matches()) {
                line = r.group(1);
                redirect = Optional.of(new Redirect(r.group(3), r.group(2).equals(">>")));
            }
            try {
                out.add(new Command(ShellQuote.split(line), redirect));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + raw.strip() + "' is not a plain command (" + e.getMessage()
                        + "): the guide's commands are run without a shell", e);
            }
        }
        return out;
    }

    /**
     * Replaces the guide's example values with a fixture's, whole words only and in one pass (a replacement is
     * never replaced again); the longest example wins where two overlap.
     */
    static String substitute(String text, Map<String, String> values) {
        if (values.isEmpty()) {
            return text;
        }
        String alternatives = values.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote).collect(Collectors.joining("|"));
        Pattern p = Pattern.compile("(?<![A-Za-z0-9_])(" + alternatives + ")(?![A-Za-z0-9_])");
        return p.matcher(text).replaceAll(m -> Matcher.quoteReplacement(values.get(m.group(1))));
    }

    /** An ordered map, for the explicit substitution tables. */
    static Map<String, String> map(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
