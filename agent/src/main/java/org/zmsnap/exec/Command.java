package org.zmsnap.exec;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** An external command as an argument list (never a shell string) with a hard timeout. */
public record Command(List<String> argv, Duration timeout) {
    public Command {
        Objects.requireNonNull(argv, "argv");
        Objects.requireNonNull(timeout, "timeout");
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        for (String a : argv) {
            if (a == null || a.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("null or NUL in argument list: " + argv);
            }
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        argv = List.copyOf(argv);
    }

    public static Command of(Duration timeout, String... argv) {
        return new Command(List.of(argv), timeout);
    }

    public static Command of(Duration timeout, List<String> argv) {
        return new Command(argv, timeout);
    }

    /** For messages: the arguments joined, each quoted when it holds anything but safe characters. */
    public String display() {
        StringBuilder sb = new StringBuilder();
        for (String a : argv) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(ShellQuote.quote(a));
        }
        return sb.toString();
    }
}
