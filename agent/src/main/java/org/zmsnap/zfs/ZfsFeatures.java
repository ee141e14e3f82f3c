package org.zmsnap.zfs;

/**
 * What the local ZFS can do, probed once. OpenZFS (0.8+) answers {@code zfs version}; zfs-fuse and
 * other pre-OpenZFS implementations do not, and lack everything below.
 *
 * @param receiveOverrides {@code zfs receive -o PROP=VALUE} and {@code -x PROP} (OpenZFS 0.7+, so every ZFS that
 *                         answers {@code zfs version})
 * @param writtenSince     the {@code written} and {@code written@SNAPSHOT} properties: bytes written after a snapshot
 *                         (every OpenZFS; zfs-fuse, pool v23, predates them)
 * @param sendEstimate     {@code zfs send -nP}: a stream's size without sending it (every OpenZFS)
 */
public record ZfsFeatures(String implementation, boolean multiSnapshot, boolean resumableReceive,
                          boolean bookmarks, boolean listParsable, boolean compressedSend, boolean receiveOverrides,
                          boolean writtenSince, boolean sendEstimate) {

    public static ZfsFeatures openZfs(String version) {
        return new ZfsFeatures(version, true, true, true, true, true, true, true, true);
    }

    public static ZfsFeatures legacy(String description) {
        return new ZfsFeatures(description, false, false, false, false, false, false, false, false);
    }
}
