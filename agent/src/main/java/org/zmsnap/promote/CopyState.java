package org.zmsnap.promote;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;

/**
 * One DR copy as promote finds it.
 *
 * @param source            the dataset's name on the mailbox host
 * @param snapshots         every snapshot of the copy, oldest first, with zmsnap's user properties where present
 * @param promoted          {@code org.zmsnap:promoted} of an earlier promotion
 * @param resumeToken       {@code receive_resume_token}: a receive was cut mid-stream (OpenZFS only)
 * @param recordedMountpoint {@code org.zmsnap:source-mountpoint}: where the mailbox host had it, recorded at the seed
 * @param existingClone     state of {@code <copy>_promoted}, when a promotion made one
 */
public record CopyState(DatasetName source, DatasetName copy, boolean exists, List<SnapshotInfo> snapshots,
                        boolean readonly, boolean mounted, Optional<String> promoted, Optional<String> resumeToken,
                        Optional<Path> recordedMountpoint, Optional<CloneState> existingClone) {
    public CopyState {
        snapshots = List.copyOf(snapshots);
    }

    public static CopyState absent(DatasetName source, DatasetName copy) {
        return new CopyState(source, copy, false, List.of(), false, false, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /** A clone an earlier promotion made; its mark says when and to which set. */
    public record CloneState(DatasetName name, Optional<String> promoted) {}

    /** The name a promotion to an older set gives the writable clone of this copy. */
    public static DatasetName cloneOf(DatasetName copy) {
        return new DatasetName(copy.value() + "_promoted");
    }
}
