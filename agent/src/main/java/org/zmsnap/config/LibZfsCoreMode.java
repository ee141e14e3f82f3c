package org.zmsnap.config;

import java.util.List;

/** {@code zfs.libzfs-core}: whether the snapshot under the lock may be made in-process through libzfs_core. */
public enum LibZfsCoreMode {
    /** Where the host has OpenZFS's libzfs_core and the plain zfs program is configured; else the program. */
    AUTO("auto"),
    /** Always the zfs program. */
    OFF("off");

    private final String configName;

    LibZfsCoreMode(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static LibZfsCoreMode parse(String s) {
        for (LibZfsCoreMode m : values()) {
            if (m.configName.equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException(s);
    }

    public static List<String> names() {
        return java.util.Arrays.stream(values()).map(LibZfsCoreMode::configName).toList();
    }
}
