package org.zmsnap.replication;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.zmsnap.snapshot.SnapshotTag;
import org.zmsnap.zfs.SnapshotInfo;

/**
 * What to send to bring one DR dataset up to date. Pure: snapshots in, steps out, no I/O.
 *
 * <p>The common snapshot is found by GUID (names can be reused or renamed). A target with snapshots newer
 * than the common one that the source does not have has diverged: refused unless the operator allows a
 * rollback. Only the snapshots the DR side wants are sent: one {@code -I} step over a run of wanted snapshots
 * that are adjacent on the source, {@code -i} across snapshots it does not want.
 */
public sealed interface ReplicationPlan {

    /** One {@code zfs send}. {@code from} empty: a full stream. */
    record Step(Optional<SnapshotInfo> from, SnapshotInfo to, boolean intermediates) {
        public String describe() {
            return from.map(f -> (intermediates ? "-I " : "-i ") + f.name().snapshot() + " → ").orElse("full ") + to.name().snapshot();
        }

        /**
         * The same transfer as plain {@code -i} steps, one per source snapshot after {@code from} up to {@code to}:
         * what a {@code -I} step becomes where the receiver accepts only plain streams (an {@code -I} stream is a
         * package whose headers could carry properties; see {@link StreamHeader}).
         *
         * @param source the dataset's snapshots on the source, oldest first
         */
        List<Step> asSingles(List<SnapshotInfo> source) {
            if (!intermediates || from.isEmpty()) {
                return List.of(this);
            }
            List<Step> out = new ArrayList<>();
            SnapshotInfo prev = from.get();
            boolean inside = false;
            for (SnapshotInfo s : source) {
                if (inside) {
                    out.add(new Step(Optional.of(prev), s, false));
                    prev = s;
                    if (s.guid() == to.guid()) {
                        return out;
                    }
                } else if (s.guid() == from.get().guid()) {
                    inside = true;
                }
            }
            throw new IllegalStateException(describe() + ": the source no longer lists both ends in order");
        }
    }

    /** The target already has the newest wanted snapshot. */
    record UpToDate(SnapshotInfo common) implements ReplicationPlan {}

    /** Send these, in order. {@code rollbackTo} present: first roll the target back (operator allowed it). */
    record Transfer(Optional<SnapshotInfo> common, Optional<SnapshotInfo> rollbackTo, List<Step> steps) implements ReplicationPlan {
        public Transfer {
            steps = List.copyOf(steps);
        }

        public SnapshotInfo newest() {
            return steps.get(steps.size() - 1).to();
        }
    }

    /** Refused: the target changed since the common snapshot, or shares none with the source. */
    record Refused(String reason, List<String> targetOnly) implements ReplicationPlan {
        public Refused {
            targetOnly = List.copyOf(targetOnly);
        }
    }

    /** The source has no snapshot the target wants yet. */
    record NothingToSend() implements ReplicationPlan {}

    /**
     * @param source        every snapshot of the source dataset, oldest first
     * @param target        the DR dataset's snapshots oldest first, or empty when the dataset does not exist
     * @param wanted        names of source snapshots the DR side wants (its retention), any order
     * @param allowRollback roll a diverged target back to the common snapshot (destroys its newer snapshots)
     */
    static ReplicationPlan plan(List<SnapshotInfo> source, Optional<List<SnapshotInfo>> target, Set<String> wanted,
                                boolean allowRollback) {
        List<Integer> wantedIdx = new ArrayList<>();
        for (int i = 0; i < source.size(); i++) {
            if (wanted.contains(source.get(i).name().snapshot())) {
                wantedIdx.add(i);
            }
        }
        if (target.isEmpty() || target.get().isEmpty()) {
            if (target.isPresent()) {
                return new Refused("the DR dataset exists but has no snapshots, so it shares none with the source;"
                        + " destroy it on the DR host (or receive into a new root) to start over", List.of());
            }
            if (wantedIdx.isEmpty()) {
                return new NothingToSend();
            }
            List<Step> steps = new ArrayList<>();
            steps.add(new Step(Optional.empty(), source.get(wantedIdx.get(0)), false));
            steps.addAll(incrementals(source, wantedIdx.get(0), wantedIdx.subList(1, wantedIdx.size())));
            return new Transfer(Optional.empty(), Optional.empty(), steps);
        }
        Set<Long> sourceGuids = new HashSet<>();
        source.forEach(s -> sourceGuids.add(s.guid()));
        int common = newestCommonIndex(source, target.get());
        if (common < 0) {
            return new Refused("the DR dataset shares no snapshot with the source (compared by GUID); refusing to"
                    + " overwrite it", target.get().stream().map(s -> s.name().toString()).toList());
        }
        SnapshotInfo c = source.get(common);
        long commonGuid = c.guid();
        List<String> newerOnTarget = new ArrayList<>();
        boolean after = false;
        for (SnapshotInfo t : target.get()) {
            if (after && !sourceGuids.contains(t.guid())) {
                newerOnTarget.add(t.name().toString());
            }
            if (t.guid() == commonGuid) {
                after = true;
            }
        }
        Optional<SnapshotInfo> rollback = Optional.empty();
        if (!newerOnTarget.isEmpty()) {
            if (!allowRollback) {
                String onTarget = target.get().stream().filter(t -> t.guid() == commonGuid).findFirst()
                        .map(t -> t.name().toString()).orElse(c.name().snapshot());
                return new Refused("the DR dataset has diverged: it holds snapshots newer than the common snapshot "
                        + c.name().snapshot() + " that the source does not have " + newerOnTarget
                        + "; nothing was changed. To discard them, the DR admin runs on the DR host: zfs rollback -r "
                        + onTarget + " (or, where the DR host's 'zmsnap serve' has --allow-destroy: zmsnap replicate"
                        + " --force-rollback)", newerOnTarget);
            }
            rollback = Optional.of(c);
        }
        final int from = common;
        List<Integer> later = wantedIdx.stream().filter(i -> i > from).toList();
        if (later.isEmpty()) {
            return rollback.isPresent() ? new Transfer(Optional.of(c), rollback, List.of()) : new UpToDate(c);
        }
        return new Transfer(Optional.of(c), rollback, incrementals(source, common, later));
    }

    /** The newest snapshot of {@code source} (oldest first) that {@code target} also has, by GUID: the base of the next increment. */
    public static Optional<SnapshotInfo> newestCommon(List<SnapshotInfo> source, List<SnapshotInfo> target) {
        int i = newestCommonIndex(source, target);
        return i < 0 ? Optional.empty() : Optional.of(source.get(i));
    }

    /** One dataset on both sides of a link, each oldest first: what {@link #newestCommonSet} compares. */
    record Sides(List<SnapshotInfo> source, List<SnapshotInfo> target) {
        public Sides {
            source = List.copyOf(source);
            target = List.copyOf(target);
        }
    }

    /**
     * The newest zmsnap set that every dataset shares with its copy: the set a copy can be restored from whole, and
     * the base every dataset's next increment has in common. Sameness is the GUID (a name can be reused); the name only
     * says which set a snapshot belongs to, so a snapshot that is not a zmsnap set (an admin's own) never counts, and a
     * set one dataset lacks is no common set however new it is.
     *
     * @return the set's snapshot name ({@code policy-time}), or empty when no set is common to all (or no dataset given)
     */
    static Optional<String> newestCommonSet(java.util.Collection<Sides> datasets) {
        Set<String> common = null;
        for (Sides d : datasets) {
            Set<Long> onTarget = new HashSet<>();
            d.target().forEach(s -> onTarget.add(s.guid()));
            Set<String> shared = new HashSet<>();
            d.source().stream().filter(s -> onTarget.contains(s.guid())).map(s -> s.name().snapshot())
                    .filter(n -> SnapshotTag.parse(n).isPresent()).forEach(shared::add);
            if (common == null) {
                common = shared;
            } else {
                common.retainAll(shared);
            }
        }
        return common == null ? Optional.empty()
                : common.stream().max(java.util.Comparator.comparing(n -> SnapshotTag.parse(n).orElseThrow()));
    }

    private static int newestCommonIndex(List<SnapshotInfo> source, List<SnapshotInfo> target) {
        Set<Long> targetGuids = new HashSet<>();
        target.forEach(s -> targetGuids.add(s.guid()));
        for (int i = source.size() - 1; i >= 0; i--) {
            if (targetGuids.contains(source.get(i).guid())) {
                return i;
            }
        }
        return -1;
    }

    private static List<Step> incrementals(List<SnapshotInfo> source, int fromIdx, List<Integer> targets) {
        List<Step> steps = new ArrayList<>();
        int prev = fromIdx;
        int i = 0;
        while (i < targets.size()) {
            int j = i;
            // extend a run of wanted snapshots adjacent on the source (nothing unwanted in between)
            while (j + 1 < targets.size() && targets.get(j + 1) == targets.get(j) + 1) {
                j++;
            }
            boolean adjacentToPrev = targets.get(i) == prev + 1;
            if (adjacentToPrev && j > i) {
                steps.add(new Step(Optional.of(source.get(prev)), source.get(targets.get(j)), true));
                prev = targets.get(j);
                i = j + 1;
            } else {
                steps.add(new Step(Optional.of(source.get(prev)), source.get(targets.get(i)), false));
                prev = targets.get(i);
                i++;
            }
        }
        return steps;
    }
}
