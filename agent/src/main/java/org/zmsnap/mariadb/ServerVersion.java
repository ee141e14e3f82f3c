package org.zmsnap.mariadb;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A MariaDB server's version as {@code SELECT @@version} reports it (e.g. "10.5.23-MariaDB-0+deb11u1"), and the one
 * place where what zmsnap does differs by version. Proven on 10.5, 10.11 and 11.8 by the MariaDB matrix
 * (docs/compatibility.md).
 */
public record ServerVersion(int major, int minor, int patch) implements Comparable<ServerVersion> {
    private static final Pattern LEADING = Pattern.compile("^(\\d+)\\.(\\d+)\\.(\\d+)");
    /** BACKUP STAGE. */
    static final ServerVersion BACKUP_STAGE = new ServerVersion(10, 4, 1);
    /** Where {@code quiesce: auto} takes BACKUP STAGE: the oldest series the container matrix proves it on. */
    public static final ServerVersion AUTO_BACKUP_STAGE = new ServerVersion(10, 5, 0);
    /** SHOW BINLOG STATUS and the BINLOG MONITOR privilege (REPLICATION CLIENT before, now an alias). */
    static final ServerVersion BINLOG_MONITOR = new ServerVersion(10, 5, 2);

    /** The version at the start of {@code version}; an unreadable one counts as current (the newest rules). */
    public static ServerVersion parse(String version) {
        Matcher m = LEADING.matcher(version == null ? "" : version.strip());
        if (!m.find()) {
            return new ServerVersion(Integer.MAX_VALUE, 0, 0);
        }
        return new ServerVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    /** False for a version string {@link #parse} could not read. */
    public boolean known() {
        return major != Integer.MAX_VALUE;
    }

    public boolean atLeast(ServerVersion other) {
        return compareTo(other) >= 0;
    }

    /** Whether {@code quiesce: backup-stage} can run here. */
    public boolean hasBackupStage() {
        return atLeast(BACKUP_STAGE);
    }

    /** The statement that reads the binlog file and position (the old name is kept as an alias where both exist). */
    public String binlogStatusStatement() {
        return atLeast(BINLOG_MONITOR) ? "SHOW BINLOG STATUS" : "SHOW MASTER STATUS";
    }

    /** The name of the privilege that reads the binlog position, as this version's GRANT spells it. */
    public String binlogMonitorPrivilege() {
        return atLeast(BINLOG_MONITOR) ? "BINLOG MONITOR" : "REPLICATION CLIENT";
    }

    @Override
    public int compareTo(ServerVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return !known() ? "unknown" : major + "." + minor + "." + patch;
    }
}
