package org.zmsnap.config;

import java.time.Duration;

/**
 * The zfs program, the bound on each call that has no tighter one of its own, and whether the snapshot under the
 * lock may be made in-process through libzfs_core ({@link LibZfsCoreMode}).
 */
public record ZfsConfig(String command, Duration timeout, LibZfsCoreMode libZfsCore) {
    public static ZfsConfig defaults() {
        return new ZfsConfig("zfs", Duration.ofSeconds(60), LibZfsCoreMode.AUTO);
    }
}
