package org.zmsnap.exec;

import java.util.List;
import java.util.regex.Pattern;

/**
 * POSIX single-quote quoting, for the one place a command line must be a string: the command an
 * SSH server hands to the remote user's shell. Everything else runs as an argument list.
 */
public final class ShellQuote {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private ShellQuote() {}

    public static String quote(String arg) {
        if (!arg.isEmpty() && SAFE.matcher(arg).matches()) {
            return arg;
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    public static String join(List<String> argv) {
        StringBuilder sb = new StringBuilder();
        for (String a : argv) {
            if (a.indexOf('\0') >= 0 || a.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("argument with NUL or newline cannot be passed to a remote shell");
            }
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(quote(a));
        }
        return sb.toString();
    }

    /**
     * The inverse of {@link #join}: splits a command line made of plain words and single-quoted strings
     * (with {@code \'} between them). Anything a shell would interpret — {@code $ ` ; | & < > ( ) * ? " } and
     * the like — is refused, so a forced command never hands a crafted line to a shell.
     */
    public static List<String> split(String line) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated quote");
                }
                cur.append(line, i + 1, end);
                inWord = true;
                i = end;
            } else if (c == '\\') {
                if (i + 1 >= line.length()) {
                    throw new IllegalArgumentException("trailing backslash");
                }
                cur.append(line.charAt(++i));
                inWord = true;
            } else if (c == ' ') {
                if (inWord) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else if (SAFE.matcher(String.valueOf(c)).matches()) {
                cur.append(c);
                inWord = true;
            } else {
                throw new IllegalArgumentException("character '" + c + "' is not allowed unquoted");
            }
        }
        if (inWord) {
            out.add(cur.toString());
        }
        return out;
    }
}
