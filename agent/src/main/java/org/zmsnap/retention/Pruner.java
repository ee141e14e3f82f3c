package org.zmsnap.retention;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.config.PolicyConfig;
import org.zmsnap.snapshot.SnapshotCatalog;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.snapshot.SnapshotTag;
import org.zmsnap.zfs.SnapshotInfo;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zfs.ZfsException;

/** Carries out a retention plan read fresh from ZFS: destroys whole sets, oldest first. */
public final class Pruner {
    private static final Logger LOG = LoggerFactory.getLogger(Pruner.class);

    private final Zfs zfs;
    private final SnapshotCatalog catalog;
    private final Map<String, PolicyConfig> policies;

    public Pruner(Zfs zfs, SnapshotCatalog catalog, Map<String, PolicyConfig> policies) {
        this.zfs = zfs;
        this.catalog = catalog;
        this.policies = policies;
    }

    /** What a prune did: the plan, the sets destroyed, and failures (a set left partial is finished by the next cycle). */
    public record Result(List<Decision> plan, List<SnapshotTag> destroyed, List<String> failures) {}

    public List<Decision> plan(Map<SnapshotTag, String> needed) {
        return Retention.plan(catalog.sets(), policies, needed);
    }

    public Result prune(boolean dryRun, Map<SnapshotTag, String> needed) {
        List<Decision> plan = plan(needed);
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
