package org.zmsnap.snapshot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;
import org.zmsnap.zfs.Zfs;

/** Reads zmsnap's snapshot sets back from ZFS: the snapshots and their user properties are the only record of a set. */
public final class SnapshotCatalog {
    private final Zfs zfs;
    private final List<DatasetName> datasets;
    private final List<String> properties;

    public SnapshotCatalog(Zfs zfs, List<DatasetName> datasets) {
        this(zfs, datasets, SnapshotProperties.ALL);
    }

    /** @param properties the user properties to read with each snapshot (none for DR copies: they carry none) */
    public SnapshotCatalog(Zfs zfs, List<DatasetName> datasets, java.util.Collection<String> properties) {
        this.zfs = zfs;
        this.datasets = List.copyOf(datasets);
        this.properties = List.copyOf(properties);
    }

    /** Every zmsnap set on the configured datasets, newest first. Snapshots zmsnap did not name are ignored. */
    public List<SnapshotSet> sets() {
        return group(datasets, listing());
    }

    /**
     * Every snapshot of each dataset, zmsnap's or not, oldest first, with the properties: one call per dataset,
     * for a caller that needs both the sets ({@link #group}) and the foreign snapshots (a replication plan).
     */
    public Map<DatasetName, List<SnapshotInfo>> listing() {
        Map<DatasetName, List<SnapshotInfo>> listing = new LinkedHashMap<>();
        for (DatasetName d : datasets) {
            listing.put(d, zfs.snapshots(d, properties));
        }
        return listing;
    }

    public List<DatasetName> datasets() {
        return datasets;
    }

    /** The sets in a listing already made (e.g. one recursive listing of a DR subtree), newest first. */
    public static List<SnapshotSet> group(List<DatasetName> datasets, Map<DatasetName, List<SnapshotInfo>> listing) {
        Map<SnapshotTag, Map<DatasetName, SnapshotInfo>> byTag = new TreeMap<>(Comparator.reverseOrder());
        for (DatasetName d : datasets) {
            for (SnapshotInfo s : listing.getOrDefault(d, List.of())) {
                SnapshotTag.parse(s.name().snapshot()).ifPresent(tag ->
                        byTag.computeIfAbsent(tag, t -> new LinkedHashMap<>()).put(d, s));
            }
        }
        List<SnapshotSet> out = new ArrayList<>();
        byTag.forEach((tag, members) -> {
            List<DatasetName> missing = datasets.stream().filter(d -> !members.containsKey(d)).toList();
            out.add(new SnapshotSet(tag, members, missing));
        });
        return out;
    }
}
