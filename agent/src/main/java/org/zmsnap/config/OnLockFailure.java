package org.zmsnap.config;

import java.util.List;

/** What a cycle does when the database lock cannot be had within its budget. */
public enum OnLockFailure {
    /** Take the snapshot anyway, marked consistent=no (InnoDB recovers it like a crash; blobs may be newer than rows). */
    CRASH_CONSISTENT("crash-consistent"),
    /** Take no snapshot; the cycle is reported as skipped. */
    SKIP("skip");

    private final String configName;

    OnLockFailure(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static OnLockFailure parse(String s) {
        for (OnLockFailure m : values()) {
            if (m.configName.equals(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException(s);
    }

    public static List<String> names() {
        return java.util.Arrays.stream(values()).map(OnLockFailure::configName).toList();
    }
}
