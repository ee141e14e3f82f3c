package org.zmsnap.config;

/** {@code zfs.libzfs-core}: whether the snapshot under the lock may be made in-process through libzfs_core. */
public enum LibZfsCoreMode implements ConfigName {
    /** Where the host has OpenZFS's libzfs_core and the plain zfs program is configured; else the program. */
    AUTO("auto"),
    /** Always the zfs program. */
    OFF("off");

    private final String configName;

    LibZfsCoreMode(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }
}
