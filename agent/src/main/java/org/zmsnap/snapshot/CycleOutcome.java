package org.zmsnap.snapshot;

import java.util.Optional;

/** How one snapshot cycle ended. */
public sealed interface CycleOutcome {
    /** A complete set exists on every dataset. */
    record Taken(SetReport report) implements CycleOutcome {}

    /** The lock could not be had and {@code on-lock-failure: skip}: no snapshot. */
    record Skipped(String policy, String reason) implements CycleOutcome {}

    /**
     * No complete set was taken. {@code leftBehind} names snapshots that could not be removed (the next cycle
     * removes partial sets); empty means nothing of this cycle remains.
     */
    record Failed(String policy, String reason, Optional<String> leftBehind) implements CycleOutcome {}
}
