package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.SshHost;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SnapshotCycle;

/**
 * What a compromised peer can do through zmsnap's forced commands, over a real OpenSSH sshd on loopback and real
 * zfs-fuse pools: a stream whose properties choose a mountpoint never mounts outside the DR root; the default
 * {@code serve} is append-only; {@code serve --send-only} serves a pull and nothing else.
 */
class ServeHardeningIT {
    static final Path ROOT = Path.of(System.getProperty("zmsnap.project.root", ".."));
    static final Duration T = Duration.ofSeconds(60);
    ZfsPool dr;
    SshHost ssh;
    Path dir;

    @BeforeEach
    void start() throws IOException {
        dir = Files.createTempDirectory("zmsnap-serve-it-");
        dr = ZfsPool.createEmpty("zsh", "1G");
        ssh = SshHost.start(dir);
        serve("--root " + drRoot());
    }

    @AfterEach
    void stop() throws IOException {
        try {
            ssh.close();
        } finally {
            dr.close();
        }
        // The streams and the attacker's chosen path. Never walk into a mount a failed pool destroy left behind.
        if (Files.readAllLines(Path.of("/proc/mounts")).stream().anyMatch(l -> l.split(" ")[1].startsWith(dir.toString()))) {
            System.err.println("ServeHardeningIT: " + dir + " still has a mount below it; left in place");
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    String drRoot() {
        return dr.name() + "/mbox1";
    }

    /** The DR host's authorized_keys: zmsnap's key may only run {@code zmsnap serve ARGS}. */
    void serve(String args) {
        ssh.authorize("command=\"" + ROOT.resolve("bin/zmsnap").toAbsolutePath().normalize() + " serve " + args + "\",restrict");
    }

    /** {@code zfs ARGS > file} on this host: a stream as the sender made it. */
    Path stream(String name, String... args) throws Exception {
        Path f = dir.resolve(name + ".zstream");
        List<String> cmd = new ArrayList<>(List.of("zfs"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(f.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd));
        return f;
    }

    /** Runs {@code remote} through the forced command with {@code input} on its stdin; exit code and stderr. */
    Proc.Result throughSsh(Path input, String... remote) throws Exception {
        List<String> cmd = ssh.sshCommand(remote);
        Path err = Files.createTempFile(dir, "ssh", ".err");
        Path out = Files.createTempFile(dir, "ssh", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(out.toFile());
        pb.redirectInput(input == null ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()) : ProcessBuilder.Redirect.from(input.toFile()));
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ssh timed out: " + cmd);
        return new Proc.Result(cmd, p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1), Files.readString(err));
    }

    String prop(String property, String dataset) {
        return dr.zfs("get", "-H", "-o", "value", property, dataset).stdout().strip();
    }

    /**
     * What the DR host's next {@code zfs mount -a} would do, for this pool only: the zfs-fuse daemon is shared with
     * other test runs, whose unmounted datasets a real {@code mount -a} would mount too. Mounts every filesystem
     * whose canmount is on and whose mountpoint is a path.
     */
    void mountAll(ZfsPool pool) {
        for (String line : pool.zfs("list", "-H", "-o", "name,canmount,mountpoint,mounted", "-t", "filesystem", "-r", pool.name())
                .stdout().lines().toList()) {
            String[] f = line.split("\t");
            if (f[1].equals("on") && f[2].startsWith("/") && f[3].equals("no")) {
                pool.zfs("mount", f[0]);
            }
        }
    }

    static boolean mountedAt(Path p) throws IOException {
        String target = p.toAbsolutePath().normalize().toString();
        return Files.readAllLines(Path.of("/proc/mounts")).stream().anyMatch(l -> l.split(" ")[1].equals(target));
    }

    @Test
    void aStreamWhosePropertiesChooseTheMountpointIsRefusedAndNothingMountsOutsideTheRoot() throws Exception {
        try (ZfsPool attacker = ZfsPool.createEmpty("zsx", "1G")) {
            // The attacker's dataset lives at a path of its choice on the DR host, e.g. root's ~/.ssh.
            Path victim = dir.resolve("victim/.ssh");
            String evil = attacker.name() + "/evil";
            attacker.zfs("create", "-o", "mountpoint=" + victim, evil);
            Files.writeString(victim.resolve("authorized_keys"), "ssh-ed25519 AAAA attacker\n");
            attacker.zfs("snapshot", evil + "@1");
            Files.writeString(victim.resolve("more"), "x\n");
            attacker.zfs("snapshot", evil + "@2");
            Path fullProps = stream("full-p", "send", "-p", evil + "@1");
            Path fullRepl = stream("full-R", "send", "-R", evil + "@2");
            Path incProps = stream("inc-p", "send", "-p", "-i", "@1", evil + "@2");
            Path plainFull = stream("full", "send", evil + "@1");
            Path plainInc = stream("inc", "send", "-i", "@1", evil + "@2");
            Path pkg = stream("pkg", "send", "-I", "@1", evil + "@2");
            // A clone stream: received as a clone of whatever snapshot on the DR host has the origin's GUID.
            attacker.zfs("clone", "-o", "mountpoint=none", evil + "@1", attacker.name() + "/c");
            attacker.zfs("snapshot", attacker.name() + "/c@x");
            Path clone = stream("clone", "send", "-i", evil + "@1", attacker.name() + "/c@x");
            attacker.zfs("set", "canmount=noauto", evil);
            attacker.zfs("umount", evil);
            assertFalse(mountedAt(victim));
            assertFalse(Files.exists(victim.resolve("authorized_keys")), "the attacker's own copy is gone from the path");

            String target = drRoot() + "/evil";
            dr.zfs("create", drRoot());
            for (Path s : List.of(fullProps, fullRepl)) {
                for (List<String> recv : List.of(List.of("zfs", "receive", target), List.of("zfs", "receive", "-u", target))) {
                    Proc.Result r = throughSsh(s, recv.toArray(String[]::new));
                    assertEquals(1, r.exitCode(), s + " " + recv + ": " + r.stderr());
                    assertTrue(r.stderr().contains("carries dataset properties"), r.stderr());
                }
            }
            assertFalse(dr.zfsResult("list", target).ok(), "nothing received");

            // A plain stream is received — unmounted even though the client did not ask for -u.
            Proc.Result full = throughSsh(plainFull, "zfs", "receive", target);
            assertEquals(0, full.exitCode(), full.stderr());
            assertEquals("no", prop("mounted", target));
            // The incremental carrying properties is refused; the plain one is received.
            Proc.Result inc = throughSsh(incProps, "zfs", "receive", "-u", target);
            assertEquals(1, inc.exitCode(), inc.stderr());
            assertTrue(inc.stderr().contains("carries dataset properties"), inc.stderr());
            assertEquals(List.of(target + "@1"), dr.snapshots().stream().filter(s -> s.startsWith(target + "@")).toList());
            // An -I package has no properties in its own header but could nest a header that has: zfs-fuse's receive
            // cannot pin properties, so serve there refuses packages too (zmsnap sends one -i stream per set instead).
            Proc.Result pk = throughSsh(pkg, "zfs", "receive", "-u", target);
            assertEquals(1, pk.exitCode(), pk.stderr());
            assertTrue(pk.stderr().contains("package of incrementals"), pk.stderr());
            Proc.Result inc2 = throughSsh(plainInc, "zfs", "receive", target);
            assertEquals(0, inc2.exitCode(), inc2.stderr());
            assertEquals(2, dr.snapshots().stream().filter(s -> s.startsWith(target + "@")).count());

            Proc.Result cloned = throughSsh(clone, "zfs", "receive", "-u", drRoot() + "/c");
            assertEquals(1, cloned.exitCode(), cloned.stderr());
            assertTrue(cloned.stderr().contains("clone stream"), cloned.stderr());
            assertFalse(dr.zfsResult("list", drRoot() + "/c").ok());

            // The DR host reboots (zfs mount -a): the received dataset mounts in its place under the root, nowhere else.
            assertEquals(dr.mountpoint(drRoot()).resolve("evil").toString(), prop("mountpoint", target));
            mountAll(dr);
            assertFalse(mountedAt(victim), "nothing mounted at the attacker's path");
            assertFalse(Files.exists(victim.resolve("authorized_keys")), "no attacker file at its path");
            assertTrue(Files.exists(dr.mountpoint(target).resolve("authorized_keys")), "the data is there, inside the root");
            assertTrue(dr.mountpoint(target).startsWith(dr.mountpoint(drRoot())));
        }
    }

    @Test
    void sendOnlyServesAPullAndRefusesEverythingThatWritesOrLeavesItsRoot() throws Exception {
        try (ZfsPool mailbox = ZfsPool.createZimbraLayout()) {
            // Now ssh's host plays the mailbox host: its key serves sends of <pool>/zimbra only.
            String root = mailbox.name() + "/zimbra";
            serve("--send-only --root " + root);
            mailbox.writeRandom(mailbox.dataset("db"), "a", 256);
            mailbox.zfs("snapshot", "-r", root + "@zmsnap_hourly_2026-11-22T10:00:00Z");
            mailbox.writeRandom(mailbox.dataset("db"), "b", 256);
            mailbox.zfs("snapshot", "-r", root + "@zmsnap_hourly_2026-11-22T11:00:00Z");
            mailbox.zfs("snapshot", mailbox.name() + "@outside");
            String s1 = root + "/db@zmsnap_hourly_2026-11-22T10:00:00Z";
            String s2 = root + "/db@zmsnap_hourly_2026-11-22T11:00:00Z";

            // A pull: list, hold, full send, incremental send, received here (the DR side) with zfs receive.
            Proc.Result list = throughSsh(null, "timeout", "-s", "KILL", "30s", "zfs", "list", "-H", "-o", "name", "-t", "snapshot", "-r", root);
            assertEquals(0, list.exitCode(), list.stderr());
            assertTrue(list.stdout().contains(s2), list.stdout());
            assertEquals(0, throughSsh(null, "zfs", "hold", "zmsnap:dr1", s1).exitCode());
            Proc.Result sendFull = throughSsh(null, "zfs", "send", s1);
            assertEquals(0, sendFull.exitCode(), sendFull.stderr());
            Path full = dir.resolve("pulled-full");
            Files.write(full, sendFull.stdout().getBytes(StandardCharsets.ISO_8859_1));
            receiveHere(full, dr.name() + "/pulled");
            Proc.Result sendInc = throughSsh(null, "zfs", "send", "-i", s1, s2);
            assertEquals(0, sendInc.exitCode(), sendInc.stderr());
            Path inc = dir.resolve("pulled-inc");
            Files.write(inc, sendInc.stdout().getBytes(StandardCharsets.ISO_8859_1));
            receiveHere(inc, dr.name() + "/pulled");
            assertEquals(2, dr.snapshots().stream().filter(s -> s.startsWith(dr.name() + "/pulled@")).count());
            assertEquals(0, throughSsh(null, "zfs", "release", "zmsnap:dr1", s1).exitCode());

            // Everything else: refused, exit 1, the mailbox host unchanged.
            List<String> before = mailbox.snapshots();
            for (String[] bad : List.of(
                    new String[] {"zfs", "receive", "-u", root + "/x"},
                    new String[] {"zfs", "destroy", s1},
                    new String[] {"zfs", "rollback", "-r", s1},
                    new String[] {"zfs", "set", "readonly=on", root + "/db"},
                    new String[] {"zfs", "create", "-p", "-o", "canmount=off", root + "/x"},
                    new String[] {"zfs", "send", mailbox.name() + "@outside"},
                    new String[] {"zfs", "send", "-R", s2},
                    new String[] {"zfs", "send", "-p", s2},
                    new String[] {"zfs", "hold", "keep", s1},
                    new String[] {"cat", "/etc/shadow"})) {
                Proc.Result r = throughSsh(full, bad);
                assertEquals(1, r.exitCode(), String.join(" ", bad) + ": " + r.stderr());
                assertTrue(r.stderr().contains("zmsnap serve --send-only (root " + root + "): refused"), r.stderr());
            }
            assertEquals(before, mailbox.snapshots());
            assertFalse(mailbox.zfsResult("list", root + "/x").ok());
            assertEquals("off", mailbox.zfs("get", "-H", "-o", "value", "readonly", root + "/db").stdout().strip());
        }
    }

    @Test
    void aFailbackGrantLetsTheKeyReadItsCopiesBackOnlyWhileItLasts() throws Exception {
        String copy = drRoot() + "/zimbra/db";
        dr.zfs("create", "-p", drRoot() + "/zimbra");
        dr.zfs("create", copy);
        dr.zfs("snapshot", copy + "@zmsnap_hourly_2026-11-22T10:00:00Z");
        String s1 = copy + "@zmsnap_hourly_2026-11-22T10:00:00Z";
        // no grant: the append-only key may not read its copies back
        Proc.Result r = throughSsh(null, "zfs", "send", s1);
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().contains("zmsnap failback grant"), r.stderr());
        // the key cannot grant itself
        r = throughSsh(null, "zfs", "set", "org.zmsnap:failback-grant=2099-01-01T00:00:00Z mbox1", drRoot());
        assertEquals(1, r.exitCode(), r.stderr());
        assertEquals("-", prop("org.zmsnap:failback-grant", drRoot()));
        // the DR admin grants (the property zmsnap failback grant sets): sends and zmsnap holds inside the root work
        dr.zfs("set", "org.zmsnap:failback-grant=" + java.time.Instant.now().plusSeconds(3600) + " drhost", drRoot());
        r = throughSsh(null, "zfs", "send", s1);
        assertEquals(0, r.exitCode(), r.stderr());
        Path back = dir.resolve("read-back");
        Files.write(back, r.stdout().getBytes(StandardCharsets.ISO_8859_1));
        receiveHere(back, dr.name() + "/readback");
        assertEquals(0, throughSsh(null, "zfs", "hold", "zmsnap:failback", s1).exitCode());
        assertEquals("1", prop("userrefs", s1));
        // and nothing that writes more
        for (String[] bad : List.of(new String[] {"zfs", "destroy", s1}, new String[] {"zfs", "send", "-p", s1},
                new String[] {"zfs", "send", dr.name() + "/readback@zmsnap_hourly_2026-11-22T10:00:00Z"})) {
            assertEquals(1, throughSsh(null, bad).exitCode(), String.join(" ", bad));
        }
        // an expired grant grants nothing
        dr.zfs("set", "org.zmsnap:failback-grant=" + java.time.Instant.now().minusSeconds(1) + " drhost", drRoot());
        assertEquals(1, throughSsh(null, "zfs", "send", s1).exitCode());
        assertTrue(dr.snapshots().contains(s1));
    }

    private void receiveHere(Path stream, String dataset) throws Exception {
        Process p = new ProcessBuilder("zfs", "receive", "-u", dataset).redirectInput(stream.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "zfs receive " + dataset);
    }

    // --- append-only, through zmsnap replicate from a real mailbox host ---

    @Test
    void destroyAndRollbackThroughTheDefaultServeAreRefusedAndTheDrHistoryStays() throws Exception {
        try (SnapshotHost host = new SnapshotHost()) {
            Mailbox m = new Mailbox(host);
            Path cfg = m.config("    keep: { hourly: 1 }\n");
            m.takeSet(cfg);
            assertEquals(0, CliRun.run(host.dir, "replicate", "--config", cfg.toString()).exit());
            m.takeSet(cfg);
            CliRun.Result second = CliRun.run(host.dir, "replicate", "--config", cfg.toString());
            assertEquals(0, second.exit(), second.err());
            // keep 1, but this host does not prune a remote target (prune defaults to false): the DR host does.
            List<String> history = m.drSnaps("db");
            assertEquals(2, history.size(), history.toString());

            for (String[] bad : List.of(new String[] {"zfs", "destroy", history.get(0)},
                    new String[] {"timeout", "-s", "KILL", "30s", "zfs", "destroy", history.get(0)},
                    new String[] {"zfs", "rollback", "-r", history.get(0)})) {
                Proc.Result r = throughSsh(null, bad);
                assertEquals(1, r.exitCode(), r.stderr());
                assertTrue(r.stderr().contains("--allow-destroy"), r.stderr());
            }
            assertEquals(history, m.drSnaps("db"), "DR history intact");

            // The DR dataset diverges (someone snapshotted it on the DR host); the mailbox host names the fix.
            String db = drRoot() + "/zimbra/db";
            dr.zfs("snapshot", db + "@tampered");
            m.takeSet(cfg);
            CliRun.Result refused = CliRun.run(host.dir, "replicate", "--config", cfg.toString());
            assertEquals(1, refused.exit());
            assertTrue(refused.err().contains("the DR admin runs on the DR host: zfs rollback -r " + history.get(1)), refused.err());
            CliRun.Result forced = CliRun.run(host.dir, "replicate", "--config", cfg.toString(), "--force-rollback");
            assertEquals(1, forced.exit(), forced.err());
            assertTrue(forced.err().contains("--allow-destroy"), forced.err());
            assertTrue(dr.snapshots().contains(db + "@tampered"), "nothing destroyed");

            // The DR admin opts out of append-only: rollback and pruning from the mailbox host work again.
            serve("--allow-destroy --root " + drRoot());
            Path pruning = m.config("    keep: { hourly: 1 }\n    prune: true\n");
            CliRun.Result ok = CliRun.run(host.dir, "replicate", "--config", pruning.toString(), "--force-rollback");
            assertEquals(0, ok.exit(), ok.err());
            assertFalse(dr.snapshots().contains(db + "@tampered"));
            // DR retention from here again, by the one retention rule: keep 1 per policy, and the newest common
            // snapshot (the newest set here) is that one.
            assertFalse(dr.snapshots().contains(history.get(0)), "pruned: " + dr.snapshots());
            assertEquals(1, m.drSnaps("db").size(), m.drSnaps("db").toString());
        }
    }

    /** A real mailbox host (pool + mariadbd) replicating to this DR pool through the forced command. */
    final class Mailbox {
        final SnapshotHost host;
        Instant clock = Instant.parse("2026-11-22T10:00:00Z");

        Mailbox(SnapshotHost host) {
            this.host = host;
        }

        Path config(String extra) {
            return host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                    + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 50 }\n"
                    + "targets:\n  dr1:\n    type: zfs\n    host: 127.0.0.1\n    port: " + ssh.port() + "\n    user: root\n"
                    + "    identity: " + ssh.clientKey() + "\n    known-hosts: " + ssh.knownHosts() + "\n    root: " + drRoot() + "\n"
                    + "    stall-timeout: 5s\n    command-timeout: 30s\n" + extra);
        }

        void takeSet(Path cfgFile) throws Exception {
            Config cfg = ConfigLoader.load(cfgFile);
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            byte[] data = new byte[64 * 1024];
            new Random(clock.getEpochSecond()).nextBytes(data);
            Files.write(store.resolve("blob-" + clock.getEpochSecond()), data);
            clock = clock.plusSeconds(3600);
            try (AgentContext ctx = new AgentContext(cfg)) {
                assertInstanceOf(CycleOutcome.Taken.class,
                        new SnapshotCycle(cfg, ctx.zfs(), ctx.quiescer(), Clock.fixed(clock, ZoneOffset.UTC)).run("hourly"));
            }
        }

        List<String> drSnaps(String leaf) {
            return dr.snapshots().stream().filter(s -> s.startsWith(drRoot() + "/zimbra/" + leaf + "@")).toList();
        }
    }
}
