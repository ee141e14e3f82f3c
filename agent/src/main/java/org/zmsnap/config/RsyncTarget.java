package org.zmsnap.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code type: rsync} target: a DR site without ZFS, always remote; each set is copied to a directory under
 * {@code path}. The common components are described on {@link TargetConfig}.
 *
 * @param path directory on the DR host
 */
public record RsyncTarget(String name, String host, int port, String user, Optional<Path> identity,
                          Optional<Path> knownHosts, Path path, List<String> afterSnapshot, Optional<String> schedule,
                          Map<String, Integer> keep, long bandwidth, Duration stallTimeout, Duration commandTimeout,
                          Duration rpo, long minRate, Duration maxDuration) implements TargetConfig {
    public RsyncTarget {
        afterSnapshot = List.copyOf(afterSnapshot);
        keep = Map.copyOf(keep);
    }
}
