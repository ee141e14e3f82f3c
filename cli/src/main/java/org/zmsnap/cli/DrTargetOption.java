package org.zmsnap.cli;

import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --target NAME} or {@code --source NAME} for the commands that open a snapshot set: browse, restore, mount. */
final class DrTargetOption {
    @Option(names = "--target", paramLabel = "NAME", description = "the DR copies on this ZFS target (see docs/restore.md):"
            + " opened here on the DR host; from the mailbox host the snapshot is checked there and the restore refused")
    String name;

    @Option(names = "--source", paramLabel = "NAME", description = "on a DR host: the copies it keeps of this source (its 'sources' config)")
    String source;

    Optional<String> get() {
        return Optional.ofNullable(name);
    }

    Optional<String> source() {
        return Optional.ofNullable(source);
    }
}
