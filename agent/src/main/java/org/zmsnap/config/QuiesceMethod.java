package org.zmsnap.config;

/** How the database is quiesced for a snapshot. */
public enum QuiesceMethod implements ConfigName {
    /**
     * The default: {@link #BACKUP_STAGE} on MariaDB 10.5+ (the oldest series proven), {@link #FTWRL} otherwise; resolved on
     * each cycle from the server's version. A set records the method it was taken with, never {@code auto}.
     */
    AUTO("auto"),
    /** FLUSH TABLES WITH READ LOCK: blocks all writes; waits behind a running long write. */
    FTWRL("ftwrl"),
    /** BACKUP STAGE START + BLOCK_COMMIT (MariaDB 10.4+): blocks only commits; not delayed by running writes. */
    BACKUP_STAGE("backup-stage"),
    /** No database lock: the snapshot is crash-consistent only, and marked not consistent. */
    NONE("none");

    private final String configName;

    QuiesceMethod(String configName) {
        this.configName = configName;
    }

    @Override
    public String configName() {
        return configName;
    }
}
