package org.zmsnap.replication;

import java.util.OptionalLong;
import org.zmsnap.zfs.DatasetName;

/**
 * Told as a replication's streams move, from the stream threads (parallel streams call it concurrently, so an
 * implementation synchronizes). The CLI draws it; a run without a listener uses {@link #NONE}.
 */
public interface TransferProgress {
    TransferProgress NONE = new TransferProgress() {
        @Override
        public void started(DatasetName dataset, String step, OptionalLong expectedBytes) { }

        @Override
        public void moved(DatasetName dataset, long bytes) { }

        @Override
        public void finished(DatasetName dataset, long bytes, boolean ok) { }
    };

    /**
     * Whether each stream's size is asked for first ({@code zfs send -nP}, OpenZFS): one more zfs call per step,
     * worth it for a person watching a seed, not for the daemon's small increments.
     */
    default boolean wantsEstimate() {
        return false;
    }

    /** A stream into {@code dataset} (the receiving side's name) starts; its expected size where ZFS can tell. */
    void started(DatasetName dataset, String step, OptionalLong expectedBytes);

    /** The bytes that stream has moved so far. */
    void moved(DatasetName dataset, long bytes);

    /** The stream ended: all its bytes, and whether both ends succeeded. */
    void finished(DatasetName dataset, long bytes, boolean ok);
}
