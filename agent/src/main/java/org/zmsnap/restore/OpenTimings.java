package org.zmsnap.restore;

/** Where the time of opening a snapshot went, for the operator and the benchmark. */
public record OpenTimings(long cloneMillis, long databaseStartMillis) {}
