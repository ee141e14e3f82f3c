package org.zmsnap.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.LayoutBase;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * zmsnap's log line, for a terminal or for journald. Under systemd ({@code JOURNAL_STREAM} is set for a service whose
 * stderr is the journal) each line starts with the syslog priority prefix journald reads ({@code <3>} error,
 * {@code <4>} warning, {@code <6>} info, {@code <7>} debug), so {@code journalctl -p warning} selects by level, and
 * carries no timestamp of its own (the journal has one). Every line of a multi-line event (a stack trace) gets the
 * prefix, since journald takes each line as an entry. Elsewhere: the timestamped line as before.
 *
 * <p>{@code journal}: {@code auto} (the default: decided by {@code JOURNAL_STREAM}), {@code true} or {@code false}.
 */
public final class JournalLayout extends LayoutBase<ILoggingEvent> {
    static final String TERMINAL_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0}: %msg%n";
    static final String JOURNAL_PATTERN = "%-5level %logger{0}: %msg%n";

    private final UnaryOperator<String> env;
    private String journal = "auto";
    private String pattern = TERMINAL_PATTERN;
    private String journalPattern = JOURNAL_PATTERN;
    private PatternLayout inner;
    private boolean prefix;

    public JournalLayout() {
        this(System::getenv);
    }

    JournalLayout(UnaryOperator<String> env) {
        this.env = env;
    }

    /** {@code auto}, {@code true} or {@code false}. */
    public void setJournal(String journal) {
        this.journal = journal;
    }

    /** The line on a terminal (logback's pattern syntax). */
    public void setPattern(String pattern) {
        this.pattern = pattern;
    }

    /** The line for journald, after the priority prefix. */
    public void setJournalPattern(String journalPattern) {
        this.journalPattern = journalPattern;
    }

    /** Whether lines go to journald with a priority prefix (decided at start). */
    public boolean journal() {
        return prefix;
    }

    @Override
    public void start() {
        prefix = switch (journal.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                String stream = env.apply("JOURNAL_STREAM");
                yield stream != null && !stream.isBlank();
            }
        };
        inner = new PatternLayout();
        inner.setContext(getContext());
        inner.setPattern(prefix ? journalPattern : pattern);
        inner.start();
        super.start();
    }

    @Override
    public void stop() {
        if (inner != null) {
            inner.stop();
        }
        super.stop();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        String line = inner.doLayout(event);
        if (!prefix) {
            return line;
        }
        String p = "<" + priority(event.getLevel()) + ">";
        StringBuilder out = new StringBuilder(line.length() + 8);
        int start = 0;
        while (start < line.length()) {
            int nl = line.indexOf('\n', start);
            int end = nl < 0 ? line.length() : nl + 1;
            out.append(p).append(line, start, end);
            start = end;
        }
        return out.toString();
    }

    /** syslog(3) priority of a logback level. */
    static int priority(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> 3;
            case Level.WARN_INT -> 4;
            case Level.INFO_INT -> 6;
            default -> 7;
        };
    }
}
