package org.zmsnap.restore;

import java.util.List;

/**
 * The end of a restore: counts, and by name what failed or was not a message (never silently dropped).
 *
 * @param digestMismatches items whose blob did not match its digest (restored anyway unless --strict)
 */
public record RestoreSummary(int restored, int skippedPresent, int failed, int notMessages, List<String> failures,
                             List<String> notMessageItems, List<String> digestMismatches, int gzipped, long bytes,
                             long millis) {
    public RestoreSummary {
        failures = List.copyOf(failures);
        notMessageItems = List.copyOf(notMessageItems);
        digestMismatches = List.copyOf(digestMismatches);
    }
}
