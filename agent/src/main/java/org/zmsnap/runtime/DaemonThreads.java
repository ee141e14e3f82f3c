package org.zmsnap.runtime;

import java.util.concurrent.ThreadFactory;

/**
 * Threads for zmsnap's own executors: named, so a thread dump says what each is for, and daemon threads, so a
 * helper pool never keeps the JVM alive after the work (or a shutdown hook) is done.
 */
public final class DaemonThreads {
    private DaemonThreads() {}

    public static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
