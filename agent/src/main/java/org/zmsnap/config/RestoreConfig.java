package org.zmsnap.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where and how restores open snapshots, and the IMAP server they deliver into.
 *
 * @param workdir  clones are mounted and the sandbox mariadbd keeps its socket and pid file here
 * @param mariadbd the server binary started on the cloned datadir (a Zimbra host has its own)
 * @param datadir  the MariaDB datadir: relative to the db dataset's mountpoint, or absolute (live path)
 * @param imap     absent: restores can only write files
 */
public record RestoreConfig(Path workdir, Path mariadbd, Path datadir, Optional<ImapConfig> imap) {
    public static RestoreConfig defaults() {
        return new RestoreConfig(Path.of("/var/lib/zmsnap/restore"), Path.of("/usr/sbin/mariadbd"), Path.of("data"), Optional.empty());
    }

    /** The live mailbox server's IMAP, reached as an admin acting on behalf of the account. */
    public record ImapConfig(String host, int port, Tls tls, String adminUser, Path adminPasswordFile) {}

    public enum Tls { STARTTLS, NONE }
}
