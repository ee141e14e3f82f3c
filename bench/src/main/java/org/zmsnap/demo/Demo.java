package org.zmsnap.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.zmsnap.fixtures.FreePort;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.SshHost;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.fixtures.ImapServer;
import org.zmsnap.fixtures.zimbra.BlobDigest;
import org.zmsnap.fixtures.zimbra.BlobPath;
import org.zmsnap.fixtures.zimbra.DeliveryLoad;
import org.zmsnap.fixtures.zimbra.GeneratedAccount;
import org.zmsnap.fixtures.zimbra.GeneratedMessage;
import org.zmsnap.fixtures.zimbra.GeneratedMailboxes;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;

/**
 * The README's demo: a sandbox Zimbra host (file-backed ZFS pools, a real MariaDB with a generated mailbox,
 * mail being delivered), and zmsnap used on it the way an admin would — through bin/zmsnap and bin/zmsnapd.
 * Everything it creates is torn down at the end, also on failure.
 */
public final class Demo {
    private final Path root;
    private final PrintStream out = System.out;

    private Demo(Path root) {
        this.root = root;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("zmsnap.project.root", ".")).toAbsolutePath().normalize();
        new Demo(root).run();
    }

    private void run() throws Exception {
        section("1. A sandbox mailbox host");
        try (SnapshotHost host = new SnapshotHost(); ZfsPool dr = ZfsPool.createEmpty("zdemo", "2G")) {
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            GeneratedMailboxes mailboxes;
            try (Connection c = host.db.connect()) {
                mailboxes = ZimbraMailboxGenerator.generate(c, store, 3, 300);
            }
            out.printf("pool %s with %s%n", host.pool.name(), host.pool.zimbraDatasets());
            out.printf("mariadbd on %s (innodb_flush_log_at_trx_commit = 0, as Zimbra), socket %s%n", host.db.datadir(), host.db.socket());
            out.printf("%d accounts, %d messages, %.1f MB of blobs (%.0f%% gzip), e.g. %s%n", mailboxes.accounts().size(),
                    mailboxes.totalMessages(), mailboxes.stats().storedBytes() / 1e6, 100 * mailboxes.stats().gzipShare(),
                    mailboxes.accounts().get(0).email());

            String email = mailboxes.accounts().get(0).email();
            Path imapParent = java.nio.file.Files.createDirectories(Path.of("/tmp/zmsnap-demo-imap"));
            // Dovecot's unprivileged processes must be able to walk into its work directory.
            java.nio.file.Files.setPosixFilePermissions(imapParent, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            try (SshHost ssh = SshHost.start(host.dir);
                 ImapServer imap = ImapServer.start(imapParent, java.util.Map.of(email, "user-pw"), "admin", "admin-pw")) {
                Path adminPw = host.dir.resolve("imap-admin.password");
                java.nio.file.Files.writeString(adminPw, "admin-pw\n");
                java.nio.file.Files.setPosixFilePermissions(adminPw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                ssh.authorize("command=\"" + root.resolve("bin/zmsnap") + " serve --root " + dr.name() + "/mbox1\",restrict");
                int metricsPort = FreePort.find();
                Path cfg = host.writeConfig(host.yaml("auto", "2s", "crash-consistent", "zfs", "")
                        + "metrics:\n  listen: 127.0.0.1:" + metricsPort + "\n"
                        + "policies:\n  fast: { schedule: \"*/10 * * * * ?\", keep: 4 }\n  hourly: { schedule: \"0 0 * * * ?\", keep: 48 }\n"
                        + "targets:\n  dr1:\n    type: zfs\n    host: 127.0.0.1\n    port: " + ssh.port() + "\n    user: root\n"
                        + "    identity: " + ssh.clientKey() + "\n    known-hosts: " + ssh.knownHosts() + "\n    root: " + dr.name() + "/mbox1\n"
                        + "    after-snapshot: [fast]\n    keep: { fast: 4, hourly: 48 }\n"
                        + "restore:\n  workdir: " + host.dir.resolve("restore") + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n"
                        + "  imap: { host: 127.0.0.1, port: " + imap.port() + ", tls: none, admin-user: admin, admin-password-file: " + adminPw + " }\n");
                out.println("config: " + cfg);

                try (DeliveryLoad load = DeliveryLoad.start(host.db, store, mailboxes.accounts().get(0).mailboxId(), 150)) {
                    section("2. A consistent snapshot while 150 messages/s are being delivered");
                    Thread.sleep(1000);
                    zmsnap("snapshot", "--config", cfg.toString(), "--policy", "hourly");
                    Thread.sleep(1100);
                    zmsnap("snapshot", "--config", cfg.toString(), "--policy", "hourly", "--json");
                    zmsnap("snapshots", "--config", cfg.toString());
                    List<DeliveryLoad.Delivery> d = load.deliveries();
                    long worst = d.stream().mapToLong(DeliveryLoad.Delivery::latencyMicros).max().orElse(0);
                    out.printf("deliveries so far: %d acknowledged, slowest %.1f ms (includes both lock windows)%n", d.size(), worst / 1000.0);

                    section("3. Replication to a second pool over SSH (restricted receiver on the 'DR host')");
                    zmsnap("replicate", "--config", cfg.toString());
                    zmsnap("targets", "--config", cfg.toString());

                    section("4. zmsnapd for a minute, a policy every 10 s, replication after each");
                    runDaemon(cfg, metricsPort);
                    zmsnap("snapshots", "--config", cfg.toString());
                    zmsnap("targets", "--config", cfg.toString());
                    zmsnap("prune", "--config", cfg.toString(), "--dry-run");
                    List<DeliveryLoad.Delivery> all = load.stop();
                    out.printf("%d deliveries acknowledged during the demo, %d failed%n", all.size(), load.errorCount());
                }

                section("5. A user deleted a message: find it in the snapshot and put it back (IMAP, a real Dovecot)");
                GeneratedAccount acct = mailboxes.accounts().get(0);
                GeneratedMessage lost = acct.messages().stream().filter(m -> m.folderId() == 2).findFirst().orElseThrow();
                try (Connection c = host.db.connect(); java.sql.Statement st = c.createStatement()) {
                    // as Zimbra does when the user empties the trash: the row goes, then the blob
                    st.execute("DELETE FROM mboxgroup" + acct.groupId() + ".mail_item WHERE mailbox_id = " + acct.mailboxId()
                            + " AND id = " + lost.id());
                    java.nio.file.Files.delete(BlobPath.defaults(store).of(acct.mailboxId(), lost.id(), lost.modContent()));
                }
                out.printf("deleted message %d (\"%s\") from %s's Inbox: row and blob%n", lost.id(), lost.subject(), email);
                zmsnap("browse", "--config", cfg.toString(), "--snapshot", "latest", "--account", email, "--deleted");
                zmsnap("restore", "item", "--config", cfg.toString(), "--snapshot", "latest", "--account", email,
                        "--item", Integer.toString(lost.id()), "--to-imap");
                boolean back = imap.fetchAll(email, "INBOX").stream().anyMatch(f -> BlobDigest.of(f.raw()).equals(lost.digest()));
                out.println("the message is back in the live INBOX, byte for byte: " + (back ? "yes" : "NO"));
            }
            section("6. Tearing down (pools destroyed, servers stopped, clones removed)");
        }
        java.nio.file.Files.deleteIfExists(Path.of("/tmp/zmsnap-demo-imap"));
        out.println("demo done");
    }

    private void runDaemon(Path cfg, int metricsPort) throws Exception {
        out.println("$ bin/zmsnapd --config " + cfg);
        Process d = new ProcessBuilder(root.resolve("bin/zmsnapd").toString(), "--config", cfg.toString())
                .redirectErrorStream(true).start();
        Thread pump = new Thread(() -> {
            try {
                d.getInputStream().transferTo(new PrefixStream(out, "  zmsnapd| "));
            } catch (IOException ignored) {
                // the daemon stopped
            }
        });
        pump.setDaemon(true);
        pump.start();
        try {
            Thread.sleep(60_000);
            HttpClient http = HttpClient.newHttpClient();
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            out.println("$ curl -s 127.0.0.1:" + metricsPort + "/metrics | grep ^zmsnap_");
            metrics.lines().filter(l -> l.startsWith("zmsnap_") && !l.contains("_bucket")).forEach(l -> out.println("  " + l));
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            out.println("$ curl -s 127.0.0.1:" + metricsPort + "/healthz  → " + health.statusCode() + " " + health.body().strip());
        } finally {
            d.destroy(); // SIGTERM: zmsnapd finishes a running cycle and exits
            if (!d.waitFor(90, TimeUnit.SECONDS)) {
                d.destroyForcibly();
            }
            pump.join(2000);
        }
    }

    private void zmsnap(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("bin/zmsnap").toString()));
        cmd.addAll(List.of(args));
        out.println("$ bin/zmsnap " + String.join(" ", args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        text.lines().forEach(l -> out.println("  " + l));
        if (p.exitValue() != 0) {
            out.println("  (exit " + p.exitValue() + ")");
        }
    }

    private void section(String title) {
        out.println();
        out.println("== " + title + " ==");
    }

    /** Indents a child's output line by line. */
    private static final class PrefixStream extends java.io.OutputStream {
        private final PrintStream target;
        private final String prefix;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        PrefixStream(PrintStream target, String prefix) {
            this.target = target;
            this.prefix = prefix;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                target.println(prefix + line.toString(StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }
    }

}
