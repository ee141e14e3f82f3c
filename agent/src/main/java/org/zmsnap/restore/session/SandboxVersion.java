package org.zmsnap.restore.session;

import java.nio.file.Path;
import java.util.Optional;
import org.zmsnap.mariadb.ServerVersion;

/**
 * Why a sandbox mariadbd may not open a set: every set is a crash-consistent datadir, and InnoDB refuses to recover a
 * crashed datadir written by another redo-log format (10.5 → 10.8 and later: "Upgrade after a crash is not
 * supported"), so the sandbox server must be of the series that wrote the set. The series a set was written by is
 * recorded with it ({@code org.zmsnap:server}); proven on 10.5, 10.11 and 11.8 (docs/compatibility.md).
 */
public final class SandboxVersion {
    private SandboxVersion() {}

    /**
     * What to tell the admin when the sandbox did not start: nothing when both series are the same (the failure is
     * the datadir's) or either is unknown.
     *
     * @param writtenBy the set's {@code org.zmsnap:server} value, e.g. "10.5.23-MariaDB-0+deb11u1 id 1"
     * @param sandbox   what {@code mariadbd --version} printed
     */
    public static Optional<String> hint(Optional<String> writtenBy, Optional<String> sandbox, Path mariadbd) {
        Optional<ServerVersion> set = writtenBy.map(ServerVersion::parse).filter(ServerVersion::known);
        Optional<ServerVersion> here = sandbox.map(SandboxVersion::fromVersionOutput).filter(ServerVersion::known);
        if (set.isEmpty() || here.isEmpty() || sameSeries(set.get(), here.get())) {
            return Optional.empty();
        }
        return Optional.of("the set was written by MariaDB " + set.get() + " and restore.mariadbd (" + mariadbd + ") is "
                + here.get() + ": a snapshot is a crashed datadir, which MariaDB recovers only with the series that wrote"
                + " it. Set restore.mariadbd to a " + set.get().major() + "." + set.get().minor() + " server (on a Zimbra"
                + " host: /opt/zimbra/common/sbin/mariadbd; on a DR host, install the mailbox host's series); see"
                + " docs/compatibility.md");
    }

    static boolean sameSeries(ServerVersion a, ServerVersion b) {
        return a.major() == b.major() && a.minor() == b.minor();
    }

    /** "/usr/sbin/mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)". */
    static ServerVersion fromVersionOutput(String out) {
        int ver = out.indexOf("Ver ");
        return ServerVersion.parse(ver < 0 ? "" : out.substring(ver + 4));
    }
}
