package org.zmsnap.snapshot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotName;
import org.zmsnap.zfs.Zfs;

/**
 * How one set is taken, best first:
 * <ol>
 *   <li>{@link Kind#MULTI_NAME}: one {@code zfs snapshot a@t b@t ...} call, atomic (OpenZFS);</li>
 *   <li>{@link Kind#RECURSIVE}: {@code zfs snapshot -r parent@t} when the datasets are exactly the parent's subtree,
 *       atomic (every ZFS); the parent's own snapshot is removed after when the parent is not configured;</li>
 *   <li>{@link Kind#PER_DATASET}: one call per dataset, all under the database lock (consistent, not atomic).</li>
 * </ol>
 */
public record SnapshotPlan(Kind kind, List<DatasetName> datasets, Optional<DatasetName> recursiveRoot) {
    public enum Kind { MULTI_NAME, RECURSIVE, PER_DATASET }

    public SnapshotPlan {
        datasets = List.copyOf(datasets);
    }

    public static SnapshotPlan choose(Zfs zfs, List<DatasetName> datasets) {
        if (datasets.size() == 1 || zfs.features().multiSnapshot()) {
            return new SnapshotPlan(Kind.MULTI_NAME, datasets, Optional.empty());
        }
        Optional<DatasetName> parent = commonParent(datasets);
        if (parent.isPresent()) {
            Set<String> wanted = new HashSet<>();
            datasets.forEach(d -> wanted.add(d.value()));
            wanted.add(parent.get().value());
            Set<String> subtree = new HashSet<>();
            zfs.subtree(parent.get()).forEach(d -> subtree.add(d.value()));
            if (subtree.equals(wanted)) {
                return new SnapshotPlan(Kind.RECURSIVE, datasets, parent);
            }
        }
        return new SnapshotPlan(Kind.PER_DATASET, datasets, Optional.empty());
    }

    /** The deepest dataset that is, or is an ancestor of, every dataset. */
    static Optional<DatasetName> commonParent(List<DatasetName> datasets) {
        Optional<DatasetName> candidate = Optional.of(datasets.get(0));
        while (candidate.isPresent()) {
            DatasetName c = candidate.get();
            if (datasets.stream().allMatch(d -> d.equals(c) || c.isAncestorOf(d))) {
                return candidate;
            }
            candidate = c.parent();
        }
        return Optional.empty();
    }

    /** Snapshots the plan creates that are not members of the set (the unconfigured parent of {@code -r}). */
    public List<SnapshotName> extras(SnapshotTag tag) {
        if (kind == Kind.RECURSIVE && !datasets.contains(recursiveRoot.orElseThrow())) {
            return List.of(recursiveRoot.get().at(tag.name()));
        }
        return List.of();
    }

    public List<SnapshotName> members(SnapshotTag tag) {
        return datasets.stream().map(d -> d.at(tag.name())).toList();
    }

    /** Creates the set within {@code timeout}, with {@code properties} set at creation. */
    public void take(Zfs zfs, SnapshotTag tag, Map<String, String> properties, Duration timeout) {
        switch (kind) {
            case MULTI_NAME -> zfs.snapshot(members(tag), false, properties, timeout);
            case RECURSIVE -> zfs.snapshot(List.of(recursiveRoot.orElseThrow().at(tag.name())), true, properties, timeout);
            case PER_DATASET -> {
                long deadline = System.nanoTime() + timeout.toNanos();
                for (SnapshotName s : members(tag)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new org.zmsnap.zfs.ZfsException("time ran out before " + s + " could be taken");
                    }
                    zfs.snapshot(List.of(s), false, properties, Duration.ofNanos(left));
                }
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    /** Destroys whatever of the tag exists; returns what could not be destroyed. */
    public List<String> undo(Zfs zfs, SnapshotTag tag) {
        List<String> left = new ArrayList<>();
        List<SnapshotName> all = new ArrayList<>(members(tag));
        all.addAll(extras(tag));
        for (SnapshotName s : all) {
            try {
                if (zfs.exists(s)) {
                    zfs.destroy(s);
                }
            } catch (RuntimeException e) {
                left.add(s + " (" + e.getMessage() + ")");
            }
        }
        return left;
    }
}
