package org.zmsnap.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.zmsnap.zfs.LibZfsCore;
import org.zmsnap.zfs.SnapshotName;
import org.zmsnap.zfs.ZfsException;

/**
 * Run in the OpenZFS guest by {@link LibZfsCoreOpenZfsIT}: {@link LibZfsCore#snapshot} once per case, the cases
 * separated by {@code --}, each a list of snapshot names and {@code PROP=VALUE} user properties. Prints one line
 * per case, {@code ok} or {@code error <message>}; one JVM start for all of them (a start costs seconds under TCG).
 */
public final class LzcSnapshotMain {
    private LzcSnapshotMain() {
    }

    public static void main(String[] args) {
        LibZfsCore.Probe probe = LibZfsCore.probe();
        if (!(probe instanceof LibZfsCore.Probe.Loaded loaded)) {
            System.out.println("absent " + ((LibZfsCore.Probe.Absent) probe).why());
            return;
        }
        System.out.println("loaded " + loaded.library().soname());
        List<SnapshotName> names = new ArrayList<>();
        Map<String, String> props = new LinkedHashMap<>();
        for (int i = 0; i <= args.length; i++) {
            if (i < args.length && !args[i].equals("--")) {
                int eq = args[i].indexOf('=');
                if (eq > 0) {
                    props.put(args[i].substring(0, eq), args[i].substring(eq + 1));
                } else {
                    names.add(SnapshotName.parse(args[i]));
                }
                continue;
            }
            try {
                loaded.library().snapshot(List.copyOf(names), props, Duration.ofSeconds(60));
                System.out.println("ok");
            } catch (ZfsException e) {
                System.out.println("error " + e.getMessage());
            }
            names.clear();
            props.clear();
        }
    }
}
