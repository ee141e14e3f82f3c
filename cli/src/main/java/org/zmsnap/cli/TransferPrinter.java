package org.zmsnap.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.zmsnap.config.Sizes;
import org.zmsnap.replication.TransferProgress;
import org.zmsnap.zfs.DatasetName;

/**
 * Replication progress on stderr. On a terminal: one line redrawn in place (at most every 250 ms) with each running
 * stream's bytes of its expected size, the run's rate and, when every running stream's size is known, an ETA; a
 * line per finished stream above it. Elsewhere (a log, a pipe): a line when a stream starts and ends, and every
 * 30 s one per running stream, so a first seed that runs for hours still says it is alive.
 */
final class TransferPrinter implements TransferProgress {
    private static final long REDRAW_NANOS = 250_000_000L;
    private static final long PLAIN_NANOS = 30_000_000_000L;

    private record Stream(String step, OptionalLong expected, long started, long bytes) {
        Stream moved(long b) {
            return new Stream(step, expected, started, b);
        }
    }

    private final PrintWriter err;
    private final boolean terminal;
    private final LongSupplier nanoClock;
    private final Map<DatasetName, Stream> running = new LinkedHashMap<>();
    private long runStart = -1;
    private long finishedBytes;
    private long drawnAt = Long.MIN_VALUE;
    private int drawnWidth;

    TransferPrinter(PrintWriter err, boolean terminal, LongSupplier nanoClock) {
        this.err = err;
        this.terminal = terminal;
        this.nanoClock = nanoClock;
    }

    static TransferPrinter forStderr(PrintWriter err) {
        return new TransferPrinter(err, System.console() != null, System::nanoTime);
    }

    @Override
    public boolean wantsEstimate() {
        return true;
    }

    @Override
    public synchronized void started(DatasetName dataset, String step, OptionalLong expectedBytes) {
        long now = nanoClock.getAsLong();
        if (runStart < 0) {
            runStart = now;
        }
        running.put(dataset, new Stream(step, expectedBytes, now, 0));
        if (terminal) {
            draw(now, true);
        } else {
            line("sending " + step + " → " + dataset
                    + (expectedBytes.isPresent() ? " (" + Sizes.format(expectedBytes.getAsLong()) + " expected)" : ""));
            drawnAt = now;
        }
    }

    @Override
    public synchronized void moved(DatasetName dataset, long bytes) {
        Stream s = running.get(dataset);
        if (s == null) {
            return;
        }
        running.put(dataset, s.moved(bytes));
        long now = nanoClock.getAsLong();
        if (terminal) {
            draw(now, false);
        } else if (now - drawnAt >= PLAIN_NANOS) {
            drawnAt = now;
            running.forEach((d, x) -> line(d + ": " + amount(x) + rate(now)));
        }
    }

    @Override
    public synchronized void finished(DatasetName dataset, long bytes, boolean ok) {
        Stream s = running.remove(dataset);
        if (s == null) {
            return;
        }
        finishedBytes += bytes;
        long now = nanoClock.getAsLong();
        String secs = String.format(java.util.Locale.ROOT, "%.1f s", (now - s.started()) / 1e9);
        line((ok ? "sent " : "FAILED ") + s.step() + " → " + dataset + ": " + Sizes.format(bytes) + " in " + secs);
        if (terminal && !running.isEmpty()) {
            draw(now, true);
        }
    }

    /** A line of its own; on a terminal the progress line is cleared first (and redrawn by the next event). */
    private void line(String text) {
        if (terminal && drawnWidth > 0) {
            err.print("\r" + " ".repeat(drawnWidth) + "\r");
            drawnWidth = 0;
        }
        err.println(text);
        err.flush();
    }

    private void draw(long now, boolean force) {
        if (!force && drawnAt != Long.MIN_VALUE && now - drawnAt < REDRAW_NANOS) {
            return;
        }
        drawnAt = now;
        StringBuilder b = new StringBuilder();
        running.forEach((d, s) -> b.append(b.length() == 0 ? "" : "  ").append(leaf(d)).append(' ').append(amount(s)));
        b.append(rate(now)).append(eta(now));
        String text = b.toString();
        err.print("\r" + text + " ".repeat(Math.max(0, drawnWidth - text.length())));
        drawnWidth = text.length();
        err.flush();
    }

    private static String leaf(DatasetName d) {
        return d.value().substring(d.value().lastIndexOf('/') + 1);
    }

    private static String amount(Stream s) {
        if (s.expected().isEmpty() || s.expected().getAsLong() <= 0) {
            return Sizes.format(s.bytes());
        }
        long e = s.expected().getAsLong();
        return Sizes.format(s.bytes()) + "/" + Sizes.format(e) + " (" + Math.min(100, s.bytes() * 100 / e) + "%)";
    }

    private long movedTotal() {
        return finishedBytes + running.values().stream().mapToLong(Stream::bytes).sum();
    }

    private double bytesPerSecond(long now) {
        double secs = (now - runStart) / 1e9;
        return secs <= 0 ? 0 : movedTotal() / secs;
    }

    private String rate(long now) {
        double r = bytesPerSecond(now);
        return r <= 0 ? "" : "  " + Sizes.format((long) r) + "/s";
    }

    /** Only when every running stream's size is known: remaining bytes over the run's rate so far. */
    private String eta(long now) {
        double r = bytesPerSecond(now);
        if (r <= 0 || running.isEmpty() || running.values().stream().anyMatch(s -> s.expected().isEmpty())) {
            return "";
        }
        long left = running.values().stream().mapToLong(s -> Math.max(0, s.expected().getAsLong() - s.bytes())).sum();
        long secs = (long) Math.ceil(left / r);
        return String.format(java.util.Locale.ROOT, "  ETA %d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
    }
}
