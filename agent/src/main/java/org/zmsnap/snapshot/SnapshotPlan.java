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
        take(zfs, calls(zfs, tag, properties), timeout);
    }

    /**
     * The exact {@code zfs snapshot} calls for the set, built before the database lock: one for an atomic plan,
     * one per dataset otherwise.
     */
    public List<Zfs.SnapshotCall> calls(Zfs zfs, SnapshotTag tag, Map<String, String> properties) {
        return switch (kind) {
            case MULTI_NAME -> List.of(zfs.snapshotCall(members(tag), false, properties));
            case RECURSIVE -> List.of(zfs.snapshotCall(List.of(recursiveRoot.orElseThrow().at(tag.name())), true, properties));
            case PER_DATASET -> members(tag).stream().map(s -> zfs.snapshotCall(List.of(s), false, properties)).toList();
        };
    }

    /** Runs calls from {@link #calls} within {@code timeout} in all. */
    public void take(Zfs zfs, List<Zfs.SnapshotCall> calls, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Zfs.SnapshotCall call : calls) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new org.zmsnap.zfs.ZfsException("time ran out before " + call.names() + " could be taken");
            }
            zfs.snapshotNow(call, Duration.ofNanos(left));
        }
    }

    /** An atomic plan makes the whole set or nothing; a per-dataset plan can be cut off halfway. */
    public boolean atomic() {
        return kind != Kind.PER_DATASET;
    }

    /**
     * Of a set's metadata, what must be on each snapshot from the moment it exists: the number of datasets, and
     * only where the set is not atomic, so that a set cut off halfway is recognised as partial (a set without the
     * count is taken as complete). Everything else is written after the lock is released: {@code -o} values are
     * one more thing inside the window.
     */
    public Map<String, String> atCreation(Map<String, String> metadata) {
        if (atomic() || !metadata.containsKey(SnapshotProperties.DATASETS)) {
            return Map.of();
        }
        return Map.of(SnapshotProperties.DATASETS, metadata.get(SnapshotProperties.DATASETS));
    }

    /**
     * One dataset of each pool the set is taken on, in order: where {@link Zfs#waitForTxgSync} is called before
     * the lock (the transaction group is per pool).
     */
    public List<DatasetName> onePerPool() {
        java.util.LinkedHashMap<String, DatasetName> byPool = new java.util.LinkedHashMap<>();
        recursiveRoot.ifPresent(r -> byPool.put(r.pool(), r));
        datasets.forEach(d -> byPool.putIfAbsent(d.pool(), d));
        return List.copyOf(byPool.values());
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
