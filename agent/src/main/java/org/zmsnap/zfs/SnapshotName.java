package org.zmsnap.zfs;

import java.util.regex.Pattern;

/** A validated {@code dataset@snapshot} name. */
public record SnapshotName(DatasetName dataset, String snapshot) {
    private static final Pattern SNAP = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,200}");

    public SnapshotName {
        if (dataset == null || snapshot == null || !SNAP.matcher(snapshot).matches()) {
            throw new IllegalArgumentException("invalid snapshot name '" + snapshot
                    + "': must start with a letter or digit and use only letters, digits, _ . : -");
        }
    }

    public static SnapshotName parse(String full) {
        int at = full.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("not a snapshot name (no '@'): " + full);
        }
        return new SnapshotName(new DatasetName(full.substring(0, at)), full.substring(at + 1));
    }

    @Override
    public String toString() {
        return dataset.value() + "@" + snapshot;
    }
}
