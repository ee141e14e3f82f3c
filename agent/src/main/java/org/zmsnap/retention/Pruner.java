package org.zmsnap.retention;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.snapshot.SnapshotCatalog;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.snapshot.SnapshotTag;
import org.zmsnap.zfs.SnapshotInfo;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zfs.ZfsException;

/**
 * Carries out a retention plan read fresh from ZFS: destroys whole sets, oldest first. The same for a host's
 * own sets and for the copies a DR host keeps of a source.
 */
public final class Pruner {
    private static final Logger LOG = LoggerFactory.getLogger(Pruner.class);

    private final Zfs zfs;
    private final SnapshotCatalog catalog;
    private final Map<String, Integer> keep;

    /** @param keep how many sets of each policy to keep ({@link Retention#counts} for a host's own policies) */
    public Pruner(Zfs zfs, SnapshotCatalog catalog, Map<String, Integer> keep) {
        this.zfs = zfs;
        this.catalog = catalog;
        this.keep = Map.copyOf(keep);
    }

    /** What a prune did: the plan, the sets destroyed, and failures (a set left partial is finished by the next cycle). */
    public record Result(List<Decision> plan, List<SnapshotTag> destroyed, List<String> failures) {}

    public List<Decision> plan(Map<SnapshotTag, String> needed) {
        return Retention.planCounts(catalog.sets(), keep, needed);
    }

    /** As {@link #prune(boolean, Map)} with what the sets themselves say is needed. */
    public Result prune(boolean dryRun, Map<SnapshotTag, String> needed) {
        return execute(dryRun, plan(needed));
    }

    /**
     * For a DR host's copies: the newest set received on every dataset is the one the source holds in common
     * with this host (its next increment starts there), so it is never destroyed, whatever its policy's count.
     */
    public Result pruneCopies(boolean dryRun, String source) {
        return execute(dryRun, planCopies(catalog.sets(), keep, source, java.time.Instant.now()));
    }

    /**
     * The one rule over a DR host's copies of a source, which carry no metadata: only sets received on every copy
     * are counted (a set on some copies only — a cut run, or a forged set on one small dataset — is kept and
     * does not push whole ones out of the count), and the newest whole set is never destroyed.
     */
    public static List<Decision> planCopies(List<SnapshotSet> sets, Map<String, Integer> keep, String source, java.time.Instant now) {
        List<SnapshotSet> whole = sets.stream().filter(s -> s.missing().isEmpty()).toList();
        Map<SnapshotTag, String> needed = whole.stream().filter(s -> !s.tag().time().isAfter(now.plus(Retention.CLOCK_SKEW))).findFirst()
                .map(s -> Map.of(s.tag(), source + " (the newest set received whole: the next increment starts there)"))
                .orElse(Map.of());
        List<Decision> plan = new ArrayList<>(Retention.planCounts(whole, keep, needed, now));
        sets.stream().filter(s -> !s.missing().isEmpty()).forEach(s -> plan.add(new Decision(s, Decision.Action.KEEP,
                "not on every copy (missing on " + s.missing() + "): never counted, never destroyed")));
        return plan;
    }

    private Result execute(boolean dryRun, List<Decision> plan) {
        List<SnapshotTag> destroyed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        if (dryRun) {
            return new Result(plan, destroyed, failures);
        }
        for (SnapshotSet s : Retention.toDestroy(plan)) {
            try {
                for (SnapshotInfo member : s.members().values()) {
                    zfs.destroy(member.name());
                }
                destroyed.add(s.tag());
                LOG.info("retention destroyed {}", s.tag());
            } catch (ZfsException e) {
                // A hold placed since the plan was read, or a busy clone: stop on this set, go on with the next.
                failures.add(s.tag() + ": " + e.getMessage());
                LOG.warn("retention could not destroy {}: {}", s.tag(), e.getMessage());
            }
        }
        return new Result(plan, destroyed, failures);
    }
}
