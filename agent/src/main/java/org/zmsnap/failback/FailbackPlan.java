package org.zmsnap.failback;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.zmsnap.replication.ReplicationPlan;
import org.zmsnap.snapshot.SnapshotTag;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;

/**
 * What {@code zmsnap failback} does next on the old mailbox host, decided from what both sides hold. Pure: the
 * facts in, a refusal or the next steps out. Every decision is read back from ZFS on each run, so a run that was
 * interrupted is continued by running it again.
 */
public sealed interface FailbackPlan {
    /** Policy of the snapshot that keeps the old host's state before it is reset: {@code zmsnap_salvage_<time>}. */
    String SALVAGE_POLICY = "salvage";
    /** Set locally on each old-host dataset while a failback with salvage runs: the salvage snapshot's name. */
    String SALVAGE_PROPERTY = "org.zmsnap:failback-salvage";

    /** Refused: nothing was changed. {@code usage}: bad input or a state the admin must change (exit 2), else 1. */
    record Refused(String reason, boolean usage) implements FailbackPlan {}

    /** Where the old host's dataset is in the reset that keeps its newer state aside. */
    enum Phase {
        /** nothing newer than the common set: no reset needed */
        CLEAN,
        /** newer state, not yet kept: salvage snapshot, export, then the reset */
        ORIGINAL,
        /** renamed aside; the dataset at the common set is not yet cloned back */
        RENAMED,
        /** cloned back from the kept state's common snapshot, not yet promoted */
        CLONED,
        /** reset to the common set, the newer state kept aside */
        RESET
    }

    /**
     * @param common      the newest set both sides have on every dataset (by GUID)
     * @param salvage     the salvage snapshot's name: a new one, or the one an interrupted run took
     * @param phases      per old-host dataset, in config order
     * @param handback    the DR host handed the service back: its final set, to receive and then go live
     * @param live        the old host already has the final set and runs on it: nothing left to do
     */
    record Ready(String common, Optional<String> salvage, boolean salvageTaken, List<Phase> phases,
                 Optional<HandbackMark> handback, boolean live) implements FailbackPlan {
        public Ready {
            phases = List.copyOf(phases);
        }

        public boolean needsSalvage() {
            return salvage.isPresent();
        }
    }

    /**
     * One old-host dataset and its DR copy.
     *
     * @param localSnaps  the old host's snapshots of it; while it is renamed aside, the kept dataset's (its history)
     * @param written     bytes written after the common set ({@code written@<common>}); empty where ZFS cannot say
     *                    (zfs-fuse), or for a dataset an earlier run kept aside
     * @param salvageMark {@link #SALVAGE_PROPERTY} on it
     * @param aside       the kept-aside dataset of this failback, when it exists
     * @param asideOrigin its {@code origin} (after the reset it is a clone of the dataset's common snapshot)
     * @param localOrigin the dataset's {@code origin} (a clone of the kept state before it is promoted)
     * @param copySnaps   the DR copy's snapshots (of the live dataset on the DR host)
     * @param promoted    the copy's promotion mark
     * @param handback    the copy's handback mark
     * @param asClones    the DR host promoted a clone of the copy, not the copy itself
     * @param fenced      the dataset is read-only or not mounted (or missing): not serving here, as failback leaves it
     *                    until the cutover's end
     */
    record Facts(DatasetName local, boolean localExists, List<SnapshotInfo> localSnaps, Optional<Long> written,
                 Optional<String> salvageMark, Optional<DatasetName> aside, Optional<String> asideOrigin,
                 Optional<String> localOrigin, DatasetName copy, boolean copyExists, List<SnapshotInfo> copySnaps,
                 Optional<String> promoted, Optional<HandbackMark> handback, boolean asClones, boolean fenced) {
        public Facts {
            localSnaps = List.copyOf(localSnaps);
            copySnaps = List.copyOf(copySnaps);
        }

        /** A dataset as it serves: writable and mounted. */
        public Facts(DatasetName local, boolean localExists, List<SnapshotInfo> localSnaps, Optional<Long> written,
                     Optional<String> salvageMark, Optional<DatasetName> aside, Optional<String> asideOrigin,
                     Optional<String> localOrigin, DatasetName copy, boolean copyExists, List<SnapshotInfo> copySnaps,
                     Optional<String> promoted, Optional<HandbackMark> handback, boolean asClones) {
            this(local, localExists, localSnaps, written, salvageMark, aside, asideOrigin, localOrigin, copy, copyExists, copySnaps,
                    promoted, handback, asClones, false);
        }

        /** The same facts with what ZFS says was written after the common set (read once the common set is known). */
        public Facts withWritten(Optional<Long> bytes) {
            return new Facts(local, localExists, localSnaps, bytes, salvageMark, aside, asideOrigin, localOrigin, copy, copyExists,
                    copySnaps, promoted, handback, asClones, fenced);
        }
    }

    /**
     * @param grantActive the DR admin's grant for this failback is in force (it opens the sends back)
     * @param inUse       processes using the old host's mounted datasets (mariadbd, Zimbra)
     * @param now         the salvage snapshot's time when one is taken
     */
    static FailbackPlan decide(List<Facts> facts, boolean grantActive, List<String> inUse, String target, Instant now) {
        for (Facts f : facts) {
            if (!f.copyExists()) {
                return new Refused("the DR copy " + f.copy() + " of " + f.local() + " does not exist on target " + target
                        + ": there is nothing to fail back from", true);
            }
            if (f.asClones()) {
                return new Refused("source was promoted as clones (" + f.copy() + "_promoted): failback continues the chain"
                        + " of a copy promoted in place only. See docs/failover.md, 'Failback after a promotion as clones'", true);
            }
        }
        // A copy promoted (again) carries at most a stale handback mark, of an earlier failback.
        Optional<HandbackMark> handback = same(facts.stream().map(f -> f.promoted().isPresent() ? Optional.<HandbackMark>empty()
                : f.handback()).toList());
        boolean promoted = facts.stream().allMatch(f -> f.promoted().isPresent());
        if (!promoted && handback.isEmpty()) {
            return new Refused("the DR copies under target " + target + " are not promoted (no " + org.zmsnap.promote.PromotedMark.PROPERTY
                    + " on " + facts.get(0).copy() + "): this host is still their source, nothing to fail back."
                    + " Failback follows 'zmsnap promote' on the DR host", true);
        }
        // Live: the final set received on every dataset, and the cutover finished — it removes the salvage marks last, after
        // every dataset is writable and mounted; until then a rerun does the cutover again. The final set need not be the
        // newest snapshot: this host takes its own sets again once live.
        boolean live = handback.isPresent() && facts.stream().allMatch(f -> f.salvageMark().isEmpty() && !f.fenced()
                && f.localSnaps().stream().anyMatch(s -> s.name().snapshot().equals(handback.get().set())));
        if (live) {
            // Done before: Zimbra may well run here again, and no grant is needed to say so.
            return new Ready(handback.get().set(), Optional.empty(), false, facts.stream().map(f -> Phase.CLEAN).toList(), handback, true);
        }
        if (!inUse.isEmpty()) {
            return new Refused("this host's datasets are in use by " + String.join(", ", inUse) + ": stop Zimbra and MariaDB here"
                    + " (zmcontrol stop) before a failback; the DR host keeps serving meanwhile", true);
        }
        Optional<String> salvageMark = facts.stream().map(Facts::salvageMark).flatMap(Optional::stream).findFirst();
        Optional<String> common = newestCommonSet(facts);
        if (common.isEmpty()) {
            return new Refused("no set is common to this host and the DR copies on every dataset (compared by GUID): the"
                    + " incremental chain is broken. Only a full resync can bring the service back here", false);
        }
        String c = common.get();
        List<Phase> phases = new ArrayList<>();
        boolean newer = false;
        for (Facts f : facts) {
            Phase p = phase(f, c, salvageMark);
            phases.add(p);
            newer |= p != Phase.CLEAN;
        }
        if (newer) {
            // One salvage set spans every dataset (it is opened as a set), so every dataset is reset with it.
            phases.replaceAll(p -> p == Phase.CLEAN ? Phase.ORIGINAL : p);
        }
        if (!grantActive) {
            return new Refused("the DR host has not granted this failback (no active " + FailbackGrant.PROPERTY + " on target "
                    + target + "'s root): on the DR host, run: zmsnap failback grant --source NAME", true);
        }
        Optional<String> salvage = salvageMark.isPresent() ? salvageMark
                : newer ? Optional.of(new SnapshotTag(SALVAGE_POLICY, now).name()) : Optional.empty();
        boolean taken = salvageMark.isPresent() && facts.stream().allMatch(f -> f.aside().isPresent() || f.localSnaps().stream()
                .anyMatch(s -> s.name().snapshot().equals(salvageMark.get())));
        return new Ready(c, salvage, taken, phases, handback, false);
    }

    private static Phase phase(Facts f, String common, Optional<String> salvageMark) {
        if (!f.localExists()) {
            return Phase.RENAMED;
        }
        if (f.localOrigin().isPresent() && f.aside().isPresent() && f.localOrigin().get().startsWith(f.aside().get().value() + "@")) {
            return Phase.CLONED;
        }
        // Reset: the kept state is a clone of one of the dataset's snapshots (the common set of the run that reset it;
        // later runs find a newer common set, the sets received since).
        if (f.aside().isPresent() && f.asideOrigin().isPresent() && f.asideOrigin().get().startsWith(f.local().value() + "@")) {
            return Phase.RESET;
        }
        if (salvageMark.isPresent()) {
            return Phase.ORIGINAL; // an interrupted run already took or is about to take the salvage snapshot
        }
        List<SnapshotInfo> snaps = f.localSnaps();
        boolean newerSnapshots = !snaps.isEmpty() && !snaps.get(snaps.size() - 1).name().snapshot().equals(common)
                && !isCopy(snaps.get(snaps.size() - 1), f.copySnaps());
        // Where ZFS cannot tell what was written after the common set (zfs-fuse has no 'written@'), assume
        // something was: a salvage that finds nothing costs a snapshot, a lost delivery cannot be undone. On OpenZFS
        // any block born after the common set counts, access times too (atime=on: a read is a write); such a dataset
        // is not guessed clean: an incremental receive refuses it anyway, and only the reset gives an unmodified one.
        boolean written = f.written().map(w -> w > 0).orElse(true);
        return newerSnapshots || written ? Phase.ORIGINAL : Phase.CLEAN;
    }

    private static boolean isCopy(SnapshotInfo s, List<SnapshotInfo> copy) {
        return copy.stream().anyMatch(c -> c.guid() == s.guid());
    }

    /** The newest zmsnap set every dataset shares with its DR copy ({@link ReplicationPlan#newestCommonSet}). */
    static Optional<String> newestCommonSet(List<Facts> facts) {
        return ReplicationPlan.newestCommonSet(facts.stream().map(f -> new ReplicationPlan.Sides(f.localSnaps(), f.copySnaps()))
                .toList());
    }

    private static <T> Optional<T> same(List<Optional<T>> values) {
        if (values.isEmpty() || values.stream().anyMatch(Optional::isEmpty)) {
            return Optional.empty();
        }
        T first = values.get(0).get();
        return values.stream().allMatch(v -> v.get().equals(first)) ? Optional.of(first) : Optional.empty();
    }
}
