package org.zmsnap.zimbra;

import java.nio.file.Path;

/**
 * A row of the snapshot's zimbra.volume: where blobs lived (live path), the bits of the path rule, and whether
 * Zimbra writes this volume's blobs gzip ({@code compress_blobs}) above {@code compression_threshold} bytes.
 */
public record Volume(int id, Path path, int fileBits, int fileGroupBits, int mailboxBits, int mailboxGroupBits,
                     boolean compressBlobs, long compressionThreshold) {

    /** A volume that does not compress its blobs. */
    public Volume(int id, Path path, int fileBits, int fileGroupBits, int mailboxBits, int mailboxGroupBits) {
        this(id, path, fileBits, fileGroupBits, mailboxBits, mailboxGroupBits, false, 0);
    }

    /** Whether Zimbra, as this volume is set now, writes a blob of {@code size} bytes gzip (its rule: above the threshold). */
    public boolean compresses(long size) {
        return compressBlobs && size > compressionThreshold;
    }
}
