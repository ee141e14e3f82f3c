package org.zmsnap;

import java.util.concurrent.ThreadFactory;

/**
 * Forwards to {@link org.zmsnap.runtime.DaemonThreads}, where the rule now lives (the root package holds the
 * wiring, so the packages it wires must not depend on it). Kept only while StreamPump, MaildirWriter and
 * ReadAhead, which other branches are editing, still import it here; delete it once they import the runtime one.
 */
public final class DaemonThreads {
    private DaemonThreads() {}

    public static ThreadFactory named(String name) {
        return org.zmsnap.runtime.DaemonThreads.named(name);
    }
}
