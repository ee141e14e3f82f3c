package org.zmsnap.check;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Collects the lines of one area and turns every exception into a failing line, so a check never ends in a
 * stack trace: whatever a probe throws is what was found, with {@code fix} as what to do.
 */
final class Lines {
    private final String area;
    private final List<CheckResult> out = new ArrayList<>();

    Lines(String area) {
        this.area = area;
    }

    void ok(String what, String detail) {
        out.add(new CheckResult.Ok(area, what, detail));
    }

    void warn(String what, String detail, String fix) {
        out.add(new CheckResult.Warn(area, what, detail, fix));
    }

    void fail(String what, String detail, String fix) {
        out.add(new CheckResult.Fail(area, what, detail, fix));
    }

    /**
     * Runs {@code probe}; if it throws, adds a failing line for {@code what} with the exception's message and
     * {@code fix}, and returns false so the caller skips what depends on it.
     */
    boolean attempt(String what, String fix, Consumer<Lines> probe) {
        try {
            probe.accept(this);
            return true;
        } catch (RuntimeException | LinkageError e) {
            fail(what, message(e), fix);
            return false;
        }
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.strip();
    }

    List<CheckResult> results() {
        return List.copyOf(out);
    }
}
