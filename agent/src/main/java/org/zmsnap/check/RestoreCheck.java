package org.zmsnap.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.zmsnap.config.RestoreConfig;
import org.zmsnap.restore.target.imap.AdminPassword;
import org.zmsnap.restore.target.imap.ImapClient;

/** What a restore (and a DR drill) needs: the sandbox's mariadbd, room in the work directory, the IMAP admin login. */
final class RestoreCheck {
    /** Below this the work directory is reported: the sandbox mariadbd's socket, pid and logs, and temporary files. */
    static final long LOW_SPACE = 1L << 30;

    private RestoreCheck() {}

    static List<CheckResult> run(RestoreConfig r, Optional<String> imapAccount, Duration timeout) {
        Lines l = new Lines("restore");
        if (Files.isRegularFile(r.mariadbd()) && Files.isExecutable(r.mariadbd())) {
            l.ok("mariadbd", r.mariadbd() + " is executable (the restore sandbox)");
        } else {
            l.fail("mariadbd", r.mariadbd() + (Files.exists(r.mariadbd()) ? " is not an executable file" : " does not exist"),
                    "install mariadb-server (Debian) or set restore.mariadbd to the server binary (Zimbra: /opt/zimbra/common/sbin/mariadbd)");
        }
        l.attempt("workdir", "check restore.workdir", x -> workdir(x, r.workdir()));
        r.imap().ifPresent(imap -> imap(l, imap, imapAccount, timeout));
        return l.results();
    }

    private static void workdir(Lines l, Path dir) {
        long free;
        try {
            free = HostCheck.usableSpace(dir);
        } catch (IOException e) {
            l.fail("workdir", "cannot read the free space of " + dir + ": " + Lines.message(e), "check restore.workdir");
            return;
        }
        String where = dir + (Files.isDirectory(dir) ? "" : " (created on first use)");
        if (free < LOW_SPACE) {
            l.warn("workdir", where + ": only " + (free >> 20) + " MiB free",
                    "free space there, or set restore.workdir to a file system with at least 1 GiB free");
        } else {
            l.ok("workdir", where + ": " + (free >> 20) + " MiB free");
        }
    }

    private static void imap(Lines l, RestoreConfig.ImapConfig c, Optional<String> account, Duration timeout) {
        String server = c.host() + ":" + c.port() + " (tls " + c.tls().name().toLowerCase(java.util.Locale.ROOT) + ")";
        String password;
        try {
            password = AdminPassword.read(c.adminPasswordFile());
        } catch (IOException e) {
            l.fail("imap password", "cannot read restore.imap.admin-password-file " + c.adminPasswordFile() + ": " + Lines.message(e),
                    "write the admin's password into " + c.adminPasswordFile() + " (one line, chmod 600)");
            return;
        }
        ImapClient client;
        try {
            client = ImapClient.connect(c.host(), c.port(), c.tls(), c.caFile(), timeout);
        } catch (RuntimeException e) {
            l.fail("imap server", server + ": " + Lines.message(e), "check restore.imap.host, port and tls"
                    + (c.tls() == RestoreConfig.Tls.NONE ? "" : " (and ca-file for a certificate the JDK does not trust)")
                    + ", and that the IMAP server is running and reachable from here");
            return;
        }
        try (client) {
            l.ok("imap server", server + " answered");
            String as = account.orElse(c.adminUser());
            try {
                client.authenticatePlain(as, c.adminUser(), password);
                l.ok("imap login", c.adminUser() + (as.equals(c.adminUser()) ? "" : " on behalf of " + as) + " logged in");
                client.logout();
            } catch (RuntimeException e) {
                l.fail("imap login", c.adminUser() + (as.equals(c.adminUser()) ? "" : " on behalf of " + as) + ": " + Lines.message(e),
                        "check restore.imap.admin-user and the password in " + c.adminPasswordFile()
                                + (account.isPresent() ? "" : " (an admin without a mailbox of its own: give --imap-as ACCOUNT)"));
            }
        }
    }
}
