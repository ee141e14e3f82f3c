package org.zmsnap.coverage;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rule: a path is covered when the filesystem that holds it (its innermost mount, after symlinks are
 * resolved) is one of the configured datasets. Not a string prefix of a {@code mountpoint}: a bind mount of
 * a dataset elsewhere is covered, and a child dataset or another filesystem mounted below a dataset's
 * mountpoint is not, because a snapshot of the parent does not contain it. Pure: no I/O.
 */
public final class PathCoverage {
    /** Where a path is. */
    public sealed interface Verdict {
        /** On a configured dataset. */
        record Covered(String dataset) implements Verdict {}

        /** Not on a configured dataset; {@code foundOn} says what holds it instead. */
        record Outside(String foundOn) implements Verdict {}
    }

    private final MountTable mounts;
    private final Set<String> datasets;

    public PathCoverage(MountTable mounts, Collection<String> datasets) {
        this.mounts = mounts;
        this.datasets = new TreeSet<>(datasets);
    }

    /** @param realPath absolute, with every symlink resolved */
    public Verdict of(Path realPath) {
        if (!realPath.isAbsolute()) {
            throw new IllegalArgumentException("not an absolute path: " + realPath);
        }
        return mounts.holding(realPath.normalize())
                .<Verdict>map(m -> m.zfs() && datasets.contains(m.source())
                        ? new Verdict.Covered(m.source())
                        : new Verdict.Outside(m.zfs() ? "dataset " + m.describe() + ", which is not in 'datasets'" : m.describe()))
                .orElse(new Verdict.Outside("no mount in the mount table holds it"));
    }
}
