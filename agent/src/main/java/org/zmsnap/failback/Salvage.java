package org.zmsnap.failback;

import java.nio.file.Path;
import org.zmsnap.snapshot.SnapshotSet;

/** Exports what exists only in {@code newer} (the old host's kept state) and not in {@code base} (the common set). */
@FunctionalInterface
public interface Salvage {
    /** The file whose presence says an export into a directory is complete: it is written last. */
    String MANIFEST = "manifest.json";

    Summary export(SnapshotSet base, SnapshotSet newer, Path dir);

    record Summary(Path dir, int items, long bytes) {}
}
