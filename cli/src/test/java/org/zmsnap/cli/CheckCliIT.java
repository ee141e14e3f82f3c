package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zmsnap.fixtures.FreePort;
import org.zmsnap.fixtures.ImapServer;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.SshHost;
import org.zmsnap.fixtures.ZfsPool;

/**
 * {@code zmsnap check} against real components: zfs-fuse pools, the mailbox host's mariadbd, an OpenSSH sshd whose
 * key runs only {@code zmsnap serve}, and Dovecot with a master user as the restore's IMAP server.
 */
class CheckCliIT {
    static final Path ROOT = Path.of(System.getProperty("zmsnap.project.root", ".."));
    SnapshotHost host;
    ZfsPool dr;
    SshHost ssh;
    ImapServer imap;
    Path imapPassword;

    @BeforeEach
    void start() throws Exception {
        host = new SnapshotHost();
        dr = ZfsPool.createEmpty("zck", "1G");
        ssh = SshHost.start(host.dir);
        ssh.authorize("command=\"" + ROOT.resolve("bin/zmsnap").toAbsolutePath().normalize() + " serve --root " + drRoot() + "\",restrict");
        Proc.run(Duration.ofSeconds(30), "zfs", "create", "-o", "canmount=off", drRoot()).orThrow();
        // Dovecot's own users must reach its directory (as in RestoreCliIT)
        Path imapParent = Files.createDirectories(Path.of("/tmp/zmsnap-check-it"));
        Files.setPosixFilePermissions(imapParent, PosixFilePermissions.fromString("rwxr-xr-x"));
        imap = ImapServer.start(imapParent, Map.of("user1@example.test", "userpw1"), "admin", "adminpw1");
        imapPassword = secret("imap.pw", "adminpw1");
    }

    @AfterEach
    void stop() {
        try {
            if (imap != null) {
                imap.close();
            }
            ssh.close();
            dr.close();
        } finally {
            host.close();
        }
    }

    String drRoot() {
        return dr.name() + "/mbox1";
    }

    Path secret(String name, String value) throws Exception {
        Path p = host.dir.resolve(name);
        Files.writeString(p, value + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    /** The mailbox host's config, with each piece replaceable to plant one fault. */
    Path config(String name, String mariadbPasswordFile, String extraDataset, Path knownHosts, int imapPort) throws Exception {
        String yaml = host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                .replace("password-file: " + host.db.passwordFile(), "password-file: " + mariadbPasswordFile)
                .replace("datasets:\n", "datasets:\n" + extraDataset)
                + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 5 }\n"
                + "targets:\n  dr1:\n    type: zfs\n    host: 127.0.0.1\n    port: " + ssh.port() + "\n    user: root\n"
                + "    identity: " + ssh.clientKey() + "\n    known-hosts: " + knownHosts + "\n    root: " + drRoot() + "\n"
                + "    command-timeout: 30s\n    keep: { hourly: 5 }\n"
                + "restore:\n  workdir: " + host.dir.resolve("restore") + "\n  mariadbd: /usr/sbin/mariadbd\n"
                + "  imap: { host: 127.0.0.1, port: " + imapPort + ", tls: none, admin-user: admin, admin-password-file: "
                + imapPassword + " }\n";
        Path p = host.dir.resolve(name + ".yaml");
        Files.writeString(p, yaml);
        return p;
    }

    static List<String> lines(CliRun.Result r, String level) {
        return r.out().lines().filter(l -> l.startsWith(level + " ")).toList();
    }

    static void noStackTrace(CliRun.Result r) {
        String all = r.out() + r.err();
        assertFalse(all.contains("\tat ") || all.contains("Exception in thread") || all.contains("Caused by:"), all);
    }

    @Test
    void aGoodConfigChecksOkAndEachPlantedFaultIsItsOwnFailingLineWithTheFix() throws Exception {
        Path good = config("good", host.db.passwordFile().toString(), "", ssh.knownHosts(), imap.port());
        CliRun.Result ok = CliRun.run(host.dir, "check", "--config", good.toString(), "--imap-as", "user1@example.test");
        assertEquals(0, ok.exit(), ok.out() + ok.err());
        noStackTrace(ok);
        assertEquals(List.of(), lines(ok, "FAIL"), ok.out());
        for (String expected : List.of("ok    mariadb        login: MariaDB ", "ok    mariadb        privilege RELOAD: granted",
                "ok    mariadb        privilege SUPER: granted", "ok    mariadb        privilege PROCESS: granted",
                "ok    datasets       " + host.pool.dataset("db") + ": exists", "ok    lock file      ",
                "ok    target dr1     host key: known in " + ssh.knownHosts(), "ok    target dr1     serve: zfs listing of " + drRoot(),
                "ok    target dr1     root: " + drRoot() + " exists", "ok    restore        mariadbd: /usr/sbin/mariadbd",
                "ok    restore        imap login: admin on behalf of user1@example.test logged in")) {
            assertTrue(ok.out().lines().anyMatch(l -> l.startsWith(expected)), "no line '" + expected + "' in\n" + ok.out());
        }
        // The only warnings a good config may give here: the test database has no Zimbra tables to check paths with.
        lines(ok, "warn").forEach(w -> assertTrue(w.contains("data paths"), ok.out()));

        // --json: the same lines, machine-readable
        CliRun.Result json = CliRun.run(host.dir, "check", "--config", good.toString(), "--imap-as", "user1@example.test", "--json");
        assertEquals(0, json.exit(), json.err());
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertTrue(j.get("ok").asBoolean());
        assertEquals(ok.out().lines().filter(l -> !l.startsWith("      -> ")).count() - 1, j.get("results").size(), json.out());

        // Four faults at once: a wrong MariaDB password, a dataset that does not exist, a DR host whose key is not
        // in known_hosts, an IMAP port nobody listens on. Each is its own line with its fix; nothing else fails.
        Path emptyKnownHosts = secret("empty_known_hosts", "");
        Path bad = config("bad", secret("wrong.pw", "not-the-password").toString(),
                "  - " + host.pool.name() + "/zimbra/nosuch\n", emptyKnownHosts, FreePort.find());
        CliRun.Result r = CliRun.run(host.dir, "check", "--config", bad.toString(), "--imap-as", "user1@example.test");
        assertEquals(1, r.exit(), r.out() + r.err());
        noStackTrace(r);
        List<String> failed = lines(r, "FAIL");
        assertEquals(4, failed.size(), r.out());
        assertTrue(failed.get(0).startsWith("FAIL  datasets       " + host.pool.name() + "/zimbra/nosuch: does not exist"), r.out());
        assertTrue(failed.get(1).startsWith("FAIL  mariadb        login: ") && failed.get(1).contains("access denied"), r.out());
        assertTrue(failed.get(2).startsWith("FAIL  target dr1     host key: the host key of [127.0.0.1]:" + ssh.port()), r.out());
        assertTrue(failed.get(3).startsWith("FAIL  restore        imap server: 127.0.0.1:"), r.out());
        assertTrue(r.out().contains("-> create it (zfs create " + host.pool.name() + "/zimbra/nosuch)"), r.out());
        assertTrue(r.out().contains("-> check mariadb.socket (or url), mariadb.user and the password source"), r.out());
        assertTrue(r.out().contains("ssh-keyscan -p " + ssh.port() + " 127.0.0.1 >> " + emptyKnownHosts), r.out());
        assertTrue(r.out().contains("-> check restore.imap.host, port and tls"), r.out());
        // what does not depend on the faults is still checked
        assertTrue(r.out().contains("ok    datasets       " + host.pool.dataset("db") + ": exists"), r.out());
        assertTrue(r.out().contains("ok    restore        mariadbd: "), r.out());
    }

    @Test
    void anAccountWithoutTheFlushPrivilegeFailsTheCheckWhereARealCycleFails() throws Exception {
        // Zimbra's innodb_flush_log_at_trx_commit = 0: each cycle needs SET GLOBAL (SUPER); RELOAD alone is not enough.
        host.sql("CREATE USER 'zmlimited'@'localhost' IDENTIFIED BY 'limitedpw1'", "GRANT RELOAD ON *.* TO 'zmlimited'@'localhost'");
        String yaml = host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                .replace("user: root\n", "user: zmlimited\n")
                .replace("password-file: " + host.db.passwordFile(), "password-file: " + secret("limited.pw", "limitedpw1"));
        Path cfg = host.dir.resolve("limited.yaml");
        Files.writeString(cfg, yaml);
        CliRun.Result r = CliRun.run(host.dir, "check", "--config", cfg.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        noStackTrace(r);
        assertTrue(r.out().contains("ok    mariadb        privilege RELOAD: granted"), r.out());
        assertTrue(r.out().contains("FAIL  mariadb        privilege SUPER: missing: innodb_flush_log_at_trx_commit is 0"), r.out());
        assertTrue(r.out().contains("-> as a MariaDB admin run: GRANT SUPER ON *.* TO 'zmlimited'@'localhost'"), r.out());
        assertTrue(r.out().contains("warn  mariadb        privilege PROCESS: missing"), r.out());
        // without SELECT on Zimbra's volume table the data paths cannot be checked: every set would be consistent=no
        assertTrue(r.out().contains("FAIL  mariadb        data paths: could not be checked: "), r.out());
        assertTrue(r.out().contains("GRANT SELECT ON zimbra.volume TO 'zmlimited'@'localhost'"), r.out());

        // zmsnapd --check (and so zmsnapd's start-up, which calls the same Quiescer.check()) refuses this account too
        Proc.Result daemonCheck = Proc.run(Duration.ofSeconds(60), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.zmsnap.daemon.Zmsnapd", "--check", "--config", cfg.toString());
        assertEquals(1, daemonCheck.exitCode(), daemonCheck.stdout() + daemonCheck.stderr());
        assertTrue(daemonCheck.stderr().contains("lacks SUPER") && daemonCheck.stderr().contains("GRANT SUPER ON *.* TO 'zmlimited'@'localhost'"),
                daemonCheck.stderr());

        // The proof the rule is right: a real cycle with this account fails where check said it would, and after the
        // GRANT check is content and the cycle takes its set.
        CliRun.Result snap = CliRun.run(host.dir, "snapshot", "--config", cfg.toString(), "--policy", "manual");
        assertTrue(snap.exit() != 0, snap.out() + snap.err());
        host.sql("GRANT SUPER ON *.* TO 'zmlimited'@'localhost'", "GRANT SELECT ON zimbra.* TO 'zmlimited'@'localhost'");
        CliRun.Result after = CliRun.run(host.dir, "check", "--config", cfg.toString());
        assertEquals(0, after.exit(), after.out() + after.err());
        CliRun.Result snap2 = CliRun.run(host.dir, "snapshot", "--config", cfg.toString(), "--policy", "manual");
        assertEquals(0, snap2.exit(), snap2.out() + snap2.err());
    }

    @Test
    void aDrHostsPullSourceIsCheckedThroughServeSendOnlyAndAWrongRootParentFails() throws Exception {
        ssh.authorize("command=\"" + ROOT.resolve("bin/zmsnap").toAbsolutePath().normalize() + " serve --send-only --root "
                + host.pool.name() + "/zimbra\",restrict");
        String datasets = String.join(", ", host.pool.zimbraDatasets());
        String yaml = "host: dr1\nlock-file: " + host.dir.resolve("dr-cycle.lock") + "\n"
                + "restore:\n  workdir: " + host.dir.resolve("drw") + "\n"
                + "sources:\n  mbox1:\n    datasets: [" + datasets + "]\n    root: ROOT\n    keep: { hourly: 5 }\n"
                + "    pull:\n      host: 127.0.0.1\n      port: " + ssh.port() + "\n      user: root\n"
                + "      identity: " + ssh.clientKey() + "\n      known-hosts: " + ssh.knownHosts() + "\n      command-timeout: 30s\n";
        Path good = host.dir.resolve("dr.yaml");
        Files.writeString(good, yaml.replace("ROOT", dr.name() + "/mbox2"));
        CliRun.Result r = CliRun.run(host.dir, "check", "--config", good.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        noStackTrace(r);
        assertTrue(r.out().contains("warn  source mbox1   root: " + dr.name() + "/mbox2 does not exist yet"), r.out());
        assertTrue(r.out().contains("ok    source mbox1   serve --send-only: zfs listing answered"), r.out());
        assertTrue(r.out().contains("ok    source mbox1   " + host.pool.dataset("db") + ": exists on the mailbox host"), r.out());

        Path bad = host.dir.resolve("dr-bad.yaml");
        Files.writeString(bad, yaml.replace("ROOT", dr.name() + "/no/such/mbox1")
                .replace("datasets: [", "datasets: [" + host.pool.name() + "/zimbra/nosuch, "));
        CliRun.Result b = CliRun.run(host.dir, "check", "--config", bad.toString(), "--json");
        assertEquals(1, b.exit(), b.out() + b.err());
        noStackTrace(b);
        JsonNode j = new ObjectMapper().readTree(b.out());
        List<String> failed = new java.util.ArrayList<>();
        j.get("results").forEach(n -> {
            if (n.get("level").asText().equals("fail")) {
                failed.add(n.get("check").asText() + ": " + n.get("detail").asText() + " -> " + n.get("fix").asText());
            }
        });
        assertEquals(2, failed.size(), b.out());
        assertTrue(failed.get(0).startsWith("root: the parent of root " + dr.name() + "/no/such/mbox1, " + dr.name() + "/no/such,"
                + " does not exist on this host -> create it (zfs create -p -o canmount=off " + dr.name() + "/no/such)"), failed.get(0));
        assertTrue(failed.get(1).startsWith(host.pool.name() + "/zimbra/nosuch: does not exist on the mailbox host"), failed.get(1));
    }
}
