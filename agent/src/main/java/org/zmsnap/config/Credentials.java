package org.zmsnap.config;

import java.nio.file.Path;

/** Where the MariaDB password comes from. */
public sealed interface Credentials {
    /** A file holding only the password; must not be readable by group or others. */
    record PasswordFile(Path path) implements Credentials {}

    /** Zimbra's own store: {@code zmlocalconfig -s -m nokey mysql_root_password}. */
    record ZimbraLocalConfig(String zmlocalconfigCommand) implements Credentials {}

    /** No password (e.g. root over the unix socket with unix_socket authentication). */
    record None() implements Credentials {}
}
