package org.zmsnap.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JournalLayoutTest {
    private final LoggerContext context = new LoggerContext();
    private final Logger logger = context.getLogger("org.zmsnap.schedule.CycleService");

    private JournalLayout layout(String journal, Map<String, String> env) {
        JournalLayout l = new JournalLayout(env::get);
        l.setContext(context);
        l.setJournal(journal);
        l.start();
        return l;
    }

    private String line(JournalLayout l, Level level, String msg, Throwable t) {
        return l.doLayout(new LoggingEvent(Logger.FQCN, logger, level, msg, t, null));
    }

    private static final Map<String, String> UNDER_SYSTEMD = Map.of("JOURNAL_STREAM", "8:12345");

    @Test
    void underSystemdEachLineHasItsPriorityAndNoTimestamp() {
        JournalLayout l = layout("auto", UNDER_SYSTEMD);
        assertTrue(l.journal());
        assertEquals("<3>ERROR CycleService: cycle failed\n", line(l, Level.ERROR, "cycle failed", null));
        assertEquals("<4>WARN  CycleService: lock slow\n", line(l, Level.WARN, "lock slow", null));
        assertEquals("<6>INFO  CycleService: cycle policy=hourly\n", line(l, Level.INFO, "cycle policy=hourly", null));
        assertEquals("<7>DEBUG CycleService: probe\n", line(l, Level.DEBUG, "probe", null));
        assertEquals("<7>TRACE CycleService: detail\n", line(l, Level.TRACE, "detail", null));
    }

    @Test
    void everyLineOfAStackTraceCarriesThePrefixSoJournalctlPKeepsItWhole() {
        String out = line(layout("auto", UNDER_SYSTEMD), Level.ERROR, "two\nlines", new IllegalStateException("boom"));
        assertTrue(out.lines().count() > 3, out);
        out.lines().forEach(l -> assertTrue(l.startsWith("<3>"), "every line: " + l));
        assertTrue(out.contains("IllegalStateException: boom"), out);
        assertTrue(out.endsWith("\n"), out);
    }

    @Test
    void onATerminalTheLineKeepsItsTimestampAndHasNoPrefix() {
        JournalLayout l = layout("auto", Map.of());
        assertFalse(l.journal());
        String out = line(l, Level.WARN, "lock slow", null);
        assertTrue(out.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) WARN  CycleService: lock slow\\n"), out);
        assertFalse(layout("auto", Map.of("JOURNAL_STREAM", " ")).journal(), "blank is not set");
    }

    @Test
    void journalCanBeForcedEitherWay() {
        assertFalse(layout("false", UNDER_SYSTEMD).journal());
        assertTrue(line(layout("false", UNDER_SYSTEMD), Level.ERROR, "x", null).matches("\\d{4}-.*ERROR CycleService: x\\n"));
        assertTrue(layout("true", Map.of()).journal());
        assertEquals("<4>WARN  CycleService: x\n", line(layout("true", Map.of()), Level.WARN, "x", null));
    }

    @Test
    void priorityIsSyslogs() {
        assertEquals(3, JournalLayout.priority(Level.ERROR));
        assertEquals(4, JournalLayout.priority(Level.WARN));
        assertEquals(6, JournalLayout.priority(Level.INFO));
        assertEquals(7, JournalLayout.priority(Level.DEBUG));
        assertEquals(7, JournalLayout.priority(Level.TRACE));
    }

    @Test
    void theShippedConfigurationUsesIt() throws Exception {
        LoggerContext shipped = new LoggerContext();
        JoranConfigurator c = new JoranConfigurator();
        c.setContext(shipped);
        c.doConfigure(JournalLayoutTest.class.getResource("/logback.xml"));
        ConsoleAppender<ILoggingEvent> stderr = (ConsoleAppender<ILoggingEvent>) shipped.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                .getAppender("STDERR");
        LayoutWrappingEncoder<ILoggingEvent> encoder = assertInstanceOf(LayoutWrappingEncoder.class, stderr.getEncoder());
        JournalLayout l = assertInstanceOf(JournalLayout.class, encoder.getLayout());
        assertTrue(l.isStarted());
        assertEquals(System.getenv("JOURNAL_STREAM") != null && !System.getenv("JOURNAL_STREAM").isBlank(), l.journal(),
                "auto: decided by JOURNAL_STREAM");
        shipped.stop();
    }
}
