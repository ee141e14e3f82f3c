package org.zmsnap.promote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** What is at a path a promoted dataset is to be mounted on: only an absent path or an empty directory is free. */
public enum PathState {
    ABSENT, EMPTY_DIRECTORY, NON_EMPTY_DIRECTORY, NOT_A_DIRECTORY;

    public boolean free() {
        return this == ABSENT || this == EMPTY_DIRECTORY;
    }

    public static PathState of(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return ABSENT;
        }
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return NOT_A_DIRECTORY;
        }
        try (var entries = Files.list(p)) {
            return entries.findAny().isPresent() ? NON_EMPTY_DIRECTORY : EMPTY_DIRECTORY;
        } catch (IOException e) {
            // unreadable: not provably free
            return NON_EMPTY_DIRECTORY;
        }
    }
}
