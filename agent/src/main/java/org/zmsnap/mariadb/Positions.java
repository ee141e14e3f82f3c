package org.zmsnap.mariadb;

import java.util.Optional;

/**
 * Where the database was when the lock was held: enough to line a snapshot up with a binlog or a replica,
 * and to tell later which server wrote it.
 */
public record Positions(Optional<String> binlogFile, Optional<Long> binlogPosition, String gtidBinlogPos,
                        String gtidSlavePos, Optional<Long> innodbLsn, String serverVersion, long serverId) {}
