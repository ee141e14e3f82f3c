package org.zmsnap.promote;

import java.nio.file.Path;
import org.zmsnap.exec.ShellQuote;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotName;

/** One change a promotion makes, in order. {@link #describe()} is what --dry-run prints and --json reports. */
public sealed interface Step {
    String describe();

    /** {@code zfs receive -A}: discard the partial state of a cut receive (never a received set). */
    record AbortPartial(DatasetName copy) implements Step {
        public String describe() {
            return "zfs receive -A " + copy + "   (discard the partial state of a cut receive)";
        }
    }

    /** Keep the current state: {@code zfs snapshot} (one per copy; zfs-fuse takes one name per call). */
    record Snapshot(SnapshotName name) implements Step {
        public String describe() {
            return "zfs snapshot " + name;
        }
    }

    record Hold(String tag, SnapshotName name) implements Step {
        public String describe() {
            return "zfs hold " + tag + " " + name;
        }
    }

    /** A writable clone of the chosen set, mounted where the mailbox host had the dataset. */
    record Clone(SnapshotName origin, DatasetName target, Path mountpoint) implements Step {
        public String describe() {
            return "zfs clone -o readonly=off -o setuid=off -o devices=off -o " + ShellQuote.quote("mountpoint=" + mountpoint) + " " + origin + " " + target;
        }
    }

    record Set(DatasetName dataset, String property, String value) implements Step {
        public String describe() {
            // Quoted as a shell would need it: the steps not done after a failure are carried out by hand.
            return "zfs set " + ShellQuote.quote(property + "=" + value) + " " + dataset;
        }
    }

    /** Mounted unless it already is (a clone mounts itself). */
    record Mount(DatasetName dataset, Path mountpoint) implements Step {
        public String describe() {
            return "zfs mount " + dataset + "   (at " + mountpoint + ")";
        }
    }

    /** The suggested mailbox-host config for the promoted datasets; never overwrites a file. */
    record WriteConfig(Path file, String yaml) implements Step {
        public String describe() {
            return "write the suggested mailbox-host config " + file;
        }
    }
}
