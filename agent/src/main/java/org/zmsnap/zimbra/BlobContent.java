package org.zmsnap.zimbra;

import java.nio.file.Path;

/** What reading one blob gave. */
public sealed interface BlobContent {
    /** The uncompressed bytes, and whether the file was gzip. */
    record Ok(byte[] bytes, boolean gzipped) implements BlobContent {}

    /** Read fine but its digest is not the row's: the bytes are kept so a non-strict restore can still use them. */
    record DigestMismatch(byte[] bytes, String expected, String actual, Path file) implements BlobContent {}

    /** Not in the snapshot, or unreadable (a truncated gzip). */
    record Unreadable(Path file, String reason) implements BlobContent {}
}
