package org.zmsnap.zfs;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** One snapshot as ZFS reports it: GUID (identity across hosts), creation, txg, hold count, user properties. */
public record SnapshotInfo(SnapshotName name, long guid, Instant creation, long createTxg, int userRefs,
                           Map<String, String> userProperties) {
    public SnapshotInfo {
        userProperties = Map.copyOf(userProperties);
    }

    public Optional<String> property(String name) {
        return Optional.ofNullable(userProperties.get(name));
    }

    public boolean held() {
        return userRefs > 0;
    }
}
