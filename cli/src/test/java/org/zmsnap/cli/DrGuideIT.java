package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.SshHost;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;

/**
 * Runs docs/install-dr.md as written, in order, for each mode: the mailbox host is a zfs-fuse pool ({@code tank})
 * with a real mariadbd holding a generated Zimbra mailbox, the DR host a second pool ({@code backup}), and the
 * host that is logged in to (the DR host in push mode, the mailbox host in pull mode) a real OpenSSH sshd on a
 * free port. The guide's example values are replaced by the fixtures' (the table in {@link #values}); every
 * command runs as an argument list, with {@code zmsnap} being this checkout's {@code bin/zmsnap}.
 */
class DrGuideIT {
    static final Path ROOT = Path.of(System.getProperty("zmsnap.project.root", "..")).toAbsolutePath().normalize();
    static final Path GUIDE = ROOT.resolve("docs/install-dr.md");
    static final String SSHD_DROP_IN = "/etc/ssh/sshd_config.d/zmsnap.conf";

    SnapshotHost host;
    ZfsPool dr;
    SshHost ssh;
    final List<Executed> executed = new ArrayList<>();

    record Executed(String block, List<String> argv, Proc.Result result) {}

    @BeforeEach
    void start() throws Exception {
        host = new SnapshotHost();
        dr = ZfsPool.createEmpty("zgd", "2G");
        ssh = SshHost.start(host.dir);
        // The guide's authorized_keys line is the only one: the fixture's own unrestricted client key is removed.
        Files.writeString(ssh.authorizedKeys(), "");
        // What the guide presupposes: a mailbox host with a Zimbra mailbox and a working zmsnap config with policies.
        try (Connection c = host.db.connect()) {
            new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(1, 20))
                    .generate(c, host.pool.mountpoint(host.pool.dataset("store")));
        }
        Path etc = Files.createDirectories(hostDir("mbox", "etc"));
        Files.writeString(etc.resolve("zmsnap.yaml"), host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 50 }\n  daily: { schedule: \"0 0 2 * * ?\", keep: 5 }\n");
    }

    @AfterEach
    void stop() {
        try {
            ssh.close();
            dr.close();
        } finally {
            host.close();
        }
    }

    @Test
    void pullModeAsTheGuideSaysReplicatesAndTheDrillPasses() throws Exception {
        runGuide("pull", "mbox");
        JsonNode pull = json(only("zmsnap", "pull")).get(0);
        assertEquals("replicated", pull.get("result").asText(), pull.toString());
        assertTrue(pull.get("steps").toString().contains("full"), "the first pull seeds: " + pull);
        assertCopiesArrived(pull.get("newest_common").asText());
        assertEquals(0, only("zmsnap", "verify").exitCode());
        assertDrillPassed(pull.get("newest_common").asText());
        assertDropInInEffect();
    }

    @Test
    void pushModeAsTheGuideSaysReplicatesIntoARootItCreatesItself() throws Exception {
        runGuide("push", "dr");
        JsonNode rep = json(only("zmsnap", "replicate")).get(0);
        assertEquals("replicated", rep.get("result").asText(), rep.toString());
        String newest = rep.get("newest_common").asText();
        assertCopiesArrived(newest);
        assertTrue(only("zmsnap", "targets").stdout().contains("replicated"), only("zmsnap", "targets").stdout());
        // The guide says the root need not exist: the first run made it and the container below it, both with
        // canmount=off (neither mounts as an empty directory).
        assertEquals("filesystem", dr.zfs("get", "-H", "-o", "value", "type", dr.name() + "/mbox1").stdout().strip());
        assertEquals("off", dr.zfs("get", "-H", "-o", "value", "canmount", dr.name() + "/mbox1").stdout().strip());
        assertEquals("off", dr.zfs("get", "-H", "-o", "value", "canmount", dr.name() + "/mbox1/zimbra").stdout().strip());
        assertEquals(0, only("zmsnap", "verify").exitCode());
        assertDrillPassed(newest);
        assertDropInInEffect();
    }

    /** Every block of {@code mode} (and the common ones), in the guide's order; {@code sshdHost} is the one logged in to. */
    void runGuide(String mode, String sshdHost) throws Exception {
        List<DocSnippets.Block> blocks = DocSnippets.parse(Files.readString(GUIDE)).stream()
                .filter(b -> b.mode().equals("common") || b.mode().equals(mode)).toList();
        for (DocSnippets.Block b : blocks) {
            Map<String, String> values = values(b.host(), b.host().equals(sshdHost));
            if (b.action() instanceof DocSnippets.Action.Skip s) {
                System.out.println("[" + b.id() + "] not executed: " + s.reason());
            } else if (b.action() instanceof DocSnippets.Action.Append a) {
                Path file = fixturePath(b, DocSnippets.substitute(a.path(), values));
                Files.createDirectories(file.getParent());
                Files.writeString(file, DocSnippets.substitute(b.text(), values), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                System.out.println("[" + b.id() + "] appended to " + file + ":\n" + Files.readString(file));
                if (a.path().equals(SSHD_DROP_IN)) {
                    ssh.restartWith(Files.readAllLines(file)); // what 'systemctl reload ssh' does for the admin
                }
            } else {
                for (DocSnippets.Command c : DocSnippets.commands(DocSnippets.substitute(b.text(), values))) {
                    run(b, c);
                }
            }
        }
    }

    private void run(DocSnippets.Block b, DocSnippets.Command c) throws IOException {
        List<String> argv = new ArrayList<>(c.argv());
        if (argv.get(0).equals("zmsnap")) {
            argv.set(0, ROOT.resolve("bin/zmsnap").toString());
        }
        for (String arg : argv.subList(1, argv.size())) {
            if (arg.startsWith("/")) {
                fixturePath(b, arg);
            }
        }
        Proc.Result r = Proc.run(Duration.ofMinutes(5), argv);
        System.out.println("[" + b.id() + "] " + String.join(" ", argv) + " -> " + r.exitCode() + "\n" + r.stdout() + r.stderr());
        if (r.exitCode() != 0) {
            fail("docs/install-dr.md line " + b.line() + " (" + b.id() + "): " + String.join(" ", c.argv()) + " exited "
                    + r.exitCode() + "\n" + r.stdout() + r.stderr() + "\nsshd log:\n" + Files.readString(ssh.sshdLog()));
        }
        if (c.stdout().isPresent()) {
            Path file = fixturePath(b, c.stdout().get().file());
            Files.writeString(file, r.stdout(), StandardOpenOption.CREATE,
                    c.stdout().get().append() ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        }
        executed.add(new Executed(b.id(), c.argv(), r));
    }

    /**
     * The example values of the guide and what stands for them here (see the maintainers' note at its top). Per
     * host: its /etc/zmsnap and state directories; on the host sshd runs for, its authorized_keys, drop-in and host
     * key; a public key once the guide's ssh-keygen has made it.
     */
    Map<String, String> values(String on, boolean runsSshd) {
        Map<String, String> v = DocSnippets.map(
                "tank", host.pool.name(),
                "backup", dr.name(),
                "mbox1.example.com", ssh.host(),
                "dr1.example.com", ssh.host(),
                "2222", Integer.toString(ssh.port()),
                "500G", "1G",
                "/opt/zmsnap", ROOT.toString(),
                "/etc/zmsnap", hostDir(on, "etc").toString(),
                "/var/lib/zmsnap", hostDir(on, "var").toString(),
                "/run/zmsnap", hostDir(on, "run").toString());
        if (runsSshd) {
            v.put("/root/.ssh/authorized_keys", ssh.authorizedKeys().toString());
            v.put(SSHD_DROP_IN, hostDir(on, "sshd_config.d").resolve("zmsnap.conf").toString());
            v.put("/etc/ssh/ssh_host_ed25519_key.pub", ssh.hostPublicKey().toString());
        }
        for (String h : List.of("mbox", "dr")) {
            Path pub = hostDir(h, "etc").resolve("id_ed25519.pub");
            if (Files.exists(pub)) {
                v.put("ssh-ed25519 AAAA... zmsnap@" + (h.equals("mbox") ? "mbox1" : "dr1"), read(pub).strip());
            }
        }
        return v;
    }

    Path hostDir(String on, String what) {
        return host.dir.resolve(on + "-" + what);
    }

    /** A path a guide block touches must be one of the fixtures': an unmapped /etc path would be this machine's own. */
    private Path fixturePath(DocSnippets.Block b, String path) {
        Path p = Path.of(path).toAbsolutePath().normalize();
        if (!p.startsWith(host.dir) && !p.startsWith(ROOT) && !p.startsWith(ssh.workDir())) {
            fail("docs/install-dr.md line " + b.line() + " (" + b.id() + ") uses " + path
                    + ", which DrGuideIT does not map to a fixture: add it to DrGuideIT.values and the guide's maintainer note");
        }
        return p;
    }

    private Proc.Result only(String... argvStart) {
        List<Proc.Result> found = executed.stream()
                .filter(e -> e.argv().size() >= argvStart.length && e.argv().subList(0, argvStart.length).equals(List.of(argvStart)))
                .map(Executed::result).toList();
        assertEquals(1, found.size(), "the guide runs '" + String.join(" ", argvStart) + "' once: " + executed);
        return found.get(0);
    }

    private static JsonNode json(Proc.Result r) throws IOException {
        return new ObjectMapper().readTree(r.stdout());
    }

    private void assertCopiesArrived(String tag) {
        for (String leaf : ZfsPool.ZIMBRA_LEAVES) {
            String copy = dr.name() + "/mbox1/zimbra/" + leaf;
            assertTrue(dr.snapshots().contains(copy + "@" + tag), copy + "@" + tag + " in " + dr.snapshots());
            assertEquals("on", dr.zfs("get", "-H", "-o", "value", "readonly", copy).stdout().strip(), copy);
        }
    }

    /** 'zmsnap verify' recorded a passed drill on the copies of that set. */
    private void assertDrillPassed(String tag) {
        String db = dr.name() + "/mbox1/zimbra/db@" + tag;
        String verified = dr.zfs("get", "-H", "-o", "value", "org.zmsnap:verified", db).stdout().strip();
        assertTrue(verified.matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z ok \\S+"), db + ": " + verified);
    }

    /** The drop-in the guide adds took effect in the restarted sshd: root may log in only with a forced command. */
    private void assertDropInInEffect() {
        Proc.Result t = Proc.run(Duration.ofSeconds(30), "sshd", "-T", "-f", ssh.workDir().resolve("sshd_config").toString());
        assertTrue(t.stdout().contains("permitrootlogin forced-commands-only"), t.stdout() + t.stderr());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
