package org.zmsnap.promote;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything promote decides from, read once before anything changes: the copies, the mount table, what is at
 * each candidate mount path, the receives running into the source's root.
 *
 * @param resumable whether this ZFS has resumable receive (else {@code receive_resume_token} was not asked for)
 */
public record Survey(List<CopyState> copies, MountTable mounts, Map<Path, PathState> paths, List<String> runningReceives,
                     boolean resumable) {
    public Survey {
        copies = List.copyOf(copies);
        paths = Map.copyOf(paths);
        runningReceives = List.copyOf(runningReceives);
    }

    public PathState pathState(Path p) {
        return paths.getOrDefault(p, PathState.ABSENT);
    }
}
