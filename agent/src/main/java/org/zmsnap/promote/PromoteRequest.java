package org.zmsnap.promote;

import java.util.Optional;

/**
 * What the admin asked for.
 *
 * @param snapshot     a set's tag ({@code zmsnap_hourly_…}); empty for the newest usable one ("latest")
 * @param abortPartial discard a cut receive's partial state ({@code zfs receive -A}) instead of refusing
 */
public record PromoteRequest(String source, Optional<String> snapshot, boolean dryRun, boolean abortPartial) {
    public static PromoteRequest latest(String source) {
        return new PromoteRequest(source, Optional.empty(), false, false);
    }

    /** "latest" (any case) and absent mean the same. */
    public static Optional<String> parseSnapshot(String value) {
        return value == null || value.isBlank() || value.equalsIgnoreCase("latest") ? Optional.empty() : Optional.of(value);
    }
}
