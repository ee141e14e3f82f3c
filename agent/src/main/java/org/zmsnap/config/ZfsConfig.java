package org.zmsnap.config;

import java.time.Duration;

/** The zfs program and the bound on each call that has no tighter one of its own. */
public record ZfsConfig(String command, Duration timeout) {
    public static ZfsConfig defaults() {
        return new ZfsConfig("zfs", Duration.ofSeconds(60));
    }
}
