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
 * @param zmprov   how to ask Zimbra's directory for an address's zimbraId
 */
public record RestoreConfig(Path workdir, Path mariadbd, Path datadir, Optional<ImapConfig> imap, Zmprov zmprov) {
    public static RestoreConfig defaults() {
        return new RestoreConfig(Path.of("/var/lib/zmsnap/restore"), Path.of("/usr/sbin/mariadbd"), Path.of("data"), Optional.empty(),
                Zmprov.defaults());
    }

    /**
     * @param command zmprov; empty ({@code zmprov: none}) never asks the directory. The default is used only
     *                where it exists, so a DR host without Zimbra needs no setting.
     * @param user    run zmprov as this user (runuser) when zmsnap runs as root; empty runs it as is
     */
    public record Zmprov(Optional<Path> command, Optional<String> user) {
        public static Zmprov defaults() {
            return new Zmprov(Optional.of(Path.of("/opt/zimbra/bin/zmprov")), Optional.of("zimbra"));
        }
    }

    /**
     * The live mailbox server's IMAP, reached as an admin acting on behalf of the account.
     *
     * @param caFile PEM certificates to trust instead of the JDK's CAs (Zimbra's self-signed certificate or its CA)
     */
    public record ImapConfig(String host, int port, Tls tls, String adminUser, Path adminPasswordFile, Optional<Path> caFile) {}

    /** {@code starttls} (port 143), {@code implicit} (TLS from the first byte, port 993), {@code none}. */
    public enum Tls { STARTTLS, IMPLICIT, NONE }
}
