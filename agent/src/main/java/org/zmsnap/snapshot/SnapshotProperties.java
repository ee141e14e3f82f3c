package org.zmsnap.snapshot;

import java.util.List;

/**
 * The ZFS user properties zmsnap writes on each snapshot of a set. {@link #CONSISTENT} is written last:
 * a set without it was interrupted after the snapshot and before its metadata was recorded.
 */
public final class SnapshotProperties {
    public static final String NS = "org.zmsnap:";
    public static final String POLICY = NS + "policy";
    public static final String HOST = NS + "host";
    public static final String VERSION = NS + "version";
    public static final String DATASETS = NS + "datasets";
    public static final String QUIESCE = NS + "quiesce";
    public static final String ACQUIRE_MS = NS + "acquire-ms";
    public static final String HOLD_MS = NS + "hold-ms";
    public static final String REDO_FLUSHED = NS + "redo-flushed";
    public static final String BINLOG = NS + "binlog";
    public static final String GTID = NS + "gtid";
    public static final String LSN = NS + "innodb-lsn";
    public static final String SERVER = NS + "server";
    public static final String NOTE = NS + "note";
    /** {@code yes}: the datadir, InnoDB directories and Zimbra volumes were on the set's datasets; {@code no}; {@code unknown}. */
    public static final String COVERAGE = NS + "coverage";
    public static final String CONSISTENT = NS + "consistent";
    /**
     * The last {@code zmsnap verify} of the set: {@code <ISO time> ok|failed full|incremental}. Written after the
     * fact on the snapshots (a user property: the snapshot's data is not touched), so it is not in the
     * cycle's write order.
     */
    public static final String VERIFIED = NS + "verified";

    public static final List<String> ALL = List.of(POLICY, HOST, VERSION, DATASETS, QUIESCE, ACQUIRE_MS, HOLD_MS,
            REDO_FLUSHED, BINLOG, GTID, LSN, SERVER, NOTE, COVERAGE, CONSISTENT, VERIFIED);

    private SnapshotProperties() {}

    /** User property values must be printable and short; anything else is replaced. */
    static String clean(String value) {
        String v = value.replaceAll("[^\\x20-\\x7E]", "?");
        return v.length() > 1000 ? v.substring(0, 1000) : v;
    }
}
