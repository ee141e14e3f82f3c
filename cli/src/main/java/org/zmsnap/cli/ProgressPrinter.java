package org.zmsnap.cli;

import java.io.PrintWriter;
import java.util.function.LongSupplier;
import org.zmsnap.restore.RestoreProgress;
import org.zmsnap.zimbra.MailItem;

/**
 * Restore progress on stderr: a bar redrawn in place on a terminal (at most every 100 ms, and at the end), plain
 * lines otherwise — every 100 items, at the end, and one per item that was not simply restored — so a log
 * file or a pipe gets something readable instead of carriage returns.
 */
final class ProgressPrinter implements RestoreProgress {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final boolean terminal;
    private final LongSupplier nanoClock;
    private long drawnAt = Long.MIN_VALUE;

    ProgressPrinter(PrintWriter err, boolean terminal, LongSupplier nanoClock) {
        this.err = err;
        this.terminal = terminal;
        this.nanoClock = nanoClock;
    }

    static ProgressPrinter forStderr(PrintWriter err) {
        return new ProgressPrinter(err, System.console() != null, System::nanoTime);
    }

    @Override
    public void item(int done, int total, MailItem item, String what) {
        if (terminal) {
            long now = nanoClock.getAsLong();
            if (done != total && drawnAt != Long.MIN_VALUE && now - drawnAt < REDRAW_NANOS) {
                return;
            }
            drawnAt = now;
            int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
            err.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total);
            if (done == total) {
                err.println();
            }
            err.flush();
        } else if (done == total || done % 100 == 0 || !what.equals("restored") && !what.equals("already present")) {
            err.println("restore: " + done + "/" + total
                    + (what.equals("restored") ? "" : " (" + item.typeName() + " " + item.id() + ": " + what + ")"));
            err.flush();
        }
    }
}
