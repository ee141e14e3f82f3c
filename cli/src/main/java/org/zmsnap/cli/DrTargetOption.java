package org.zmsnap.cli;

import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --target NAME} for the commands that open a snapshot set: browse, restore, mount. */
final class DrTargetOption {
    @Option(names = "--target", paramLabel = "NAME", description = "the DR copies on this ZFS target (see docs/restore.md):"
            + " opened here on the DR host; from the mailbox host the snapshot is checked there and the restore refused")
    String name;

    Optional<String> get() {
        return Optional.ofNullable(name);
    }
}
