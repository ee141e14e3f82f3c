package org.zmsnap.config;

/** What a cycle does when the database lock cannot be had within its budget. */
public enum OnLockFailure implements ConfigName {
    /** Take the snapshot anyway, marked consistent=no (InnoDB recovers it like a crash; blobs may be newer than rows). */
    CRASH_CONSISTENT("crash-consistent"),
    /** Take no snapshot; the cycle is reported as skipped. */
    SKIP("skip");

    private final String configName;

    OnLockFailure(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }
}
