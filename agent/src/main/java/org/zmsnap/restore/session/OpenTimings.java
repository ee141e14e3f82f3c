package org.zmsnap.restore.session;

/** Where the time of opening a snapshot went, for the operator and the benchmark. */
public record OpenTimings(long cloneMillis, long databaseStartMillis) {}
