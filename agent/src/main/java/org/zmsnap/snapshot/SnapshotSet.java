package org.zmsnap.snapshot;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;

/**
 * The snapshots sharing one tag across the configured datasets.
 *
 * @param missing configured datasets that lack the tag. Not by itself a sign of a partial set: a dataset
 *                added to the configuration later lacks every older tag
 */
public record SnapshotSet(SnapshotTag tag, Map<DatasetName, SnapshotInfo> members, List<DatasetName> missing) {
    public SnapshotSet {
        members = Map.copyOf(members);
        missing = List.copyOf(missing);
    }

    /**
     * How many datasets the cycle that made the set snapshotted, as it recorded at creation; the current
     * member count when that is unknown.
     */
    public int intendedSize() {
        return property(SnapshotProperties.DATASETS).flatMap(SnapshotSet::parseCount).orElse(members.size());
    }

    /** A cycle was interrupted mid-set (fewer members than it intended): useless, and zmsnap's to remove. */
    public boolean partial() {
        return members.size() < intendedSize();
    }

    public boolean complete() {
        return !partial();
    }

    private static Optional<Integer> parseCount(String v) {
        try {
            return Optional.of(Integer.parseInt(v));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A metadata value, read from the first member that has it. */
    public Optional<String> property(String key) {
        return members.values().stream().map(i -> i.userProperties().get(key)).filter(v -> v != null).findFirst();
    }

    /** yes / no, or unknown when the cycle that made it stopped before recording it. */
    public String consistency() {
        return property(SnapshotProperties.CONSISTENT).orElse("unknown");
    }

    public boolean held() {
        return members.values().stream().anyMatch(SnapshotInfo::held);
    }
}
