package org.zmsnap.retention;

import org.zmsnap.snapshot.SnapshotSet;

/** What retention does with one set, and why. */
public record Decision(SnapshotSet set, Action action, String reason) {
    public enum Action { KEEP, DESTROY }

    public boolean destroy() {
        return action == Action.DESTROY;
    }
}
