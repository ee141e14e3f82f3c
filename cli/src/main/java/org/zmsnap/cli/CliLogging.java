package org.zmsnap.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What reaches the CLI's stderr: zmsnap's own messages and its WARN/ERROR log lines, never the libraries' log
 * lines (Connector/J's "WARN ErrorPacket" for a refused login, the SSH and HTTP libraries) — the command reports
 * the same failure itself, in words that say what to do. {@code --verbose} shows them, with zmsnap's INFO lines.
 */
final class CliLogging {
    private CliLogging() {}

    static void configure(boolean verbose) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext lc)) {
            return; // another SLF4J binding: its own configuration rules
        }
        lc.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(verbose ? Level.INFO : Level.OFF);
        if (verbose) {
            ch.qos.logback.classic.Logger own = lc.getLogger("org.zmsnap");
            if (own.getLevel() == null || own.getLevel().isGreaterOrEqual(Level.INFO)) {
                own.setLevel(Level.INFO);
            }
        }
    }
}
