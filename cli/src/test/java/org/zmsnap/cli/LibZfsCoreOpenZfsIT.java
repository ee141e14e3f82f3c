package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zmsnap.fixtures.GuestPool;
import org.zmsnap.fixtures.GuestSnapshotHost;
import org.zmsnap.fixtures.OpenZfsVm;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.TestZfs;
import org.zmsnap.fixtures.ZfsUnderTest;
import org.zmsnap.fixtures.zimbra.ZimbraSchema;

/**
 * The snapshot under the lock through libzfs_core, in the OpenZFS guest (kernel OpenZFS 2.1, its own
 * libzfs_core.so.3): zmsnap's jars and {@code bin/zmsnap} as built, run there by the guest's java. {@code lzc_snapshot}
 * makes the set or nothing, says which snapshot failed and why; {@code zmsnap snapshot} with FTWRL on the guest's
 * MariaDB takes its set through it, and with {@code libzfs-core: off} through the {@code zfs} program, the same set.
 */
class LibZfsCoreOpenZfsIT {
    static final Path ROOT = Path.of(System.getProperty("zmsnap.project.root", "..")).toAbsolutePath().normalize();
    static final Duration T = Duration.ofMinutes(3);
    static final String DIR = "/var/tmp/zmsnap-lzc";

    @Test
    void theSetIsTakenInProcessAtomicallyAndAFailureSaysWhichSnapshotAndWhy() throws Exception {
        ZfsUnderTest.require(TestZfs.OPENZFS);
        OpenZfsVm vm = OpenZfsVm.shared();
        try (GuestSnapshotHost host = GuestSnapshotHost.create(vm)) {
            GuestPool pool = host.zfsPool();
            try (Connection c = host.connectDb()) {
                ZimbraSchema.create(c, Path.of(pool.mountpoint(pool.dataset("store"))), Path.of(pool.mountpoint(pool.dataset("index"))));
            }
            copyIn(vm);
            String db = pool.dataset("db");
            String store = pool.dataset("store");

            Proc.Result r = java(vm, List.of("org.zmsnap.cli.LzcSnapshotMain",
                    db + "@lzc1", store + "@lzc1", "org.zmsnap:case=one", "--",
                    db + "@lzc1", store + "@lzc2", "--",
                    pool.dataset("nosuch") + "@lzc3"));
            List<String> lines = r.stdout().lines().toList();
            assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
            assertEquals(4, lines.size(), r.stdout() + r.stderr());
            assertTrue(lines.get(0).startsWith("loaded libzfs_core.so"), lines.get(0));
            assertEquals("ok", lines.get(1));
            for (String ds : List.of(db, store)) {
                assertEquals("one", pool.zfs("get", "-H", "-o", "value", "org.zmsnap:case", ds + "@lzc1").stdout().strip(),
                        "the user property was set at creation on " + ds);
            }
            // One name exists: the kernel refuses the whole set, names the one and why, and makes none of it.
            assertTrue(lines.get(2).startsWith("error ") && lines.get(2).contains(db + "@lzc1") && lines.get(2).contains("EEXIST"),
                    lines.get(2));
            assertFalse(pool.zfsResult("list", "-H", store + "@lzc2").ok(), "an atomic set: " + store + "@lzc2 was not made");
            assertTrue(lines.get(3).startsWith("error ") && lines.get(3).contains("ENOENT"), lines.get(3));

            String yaml = "host: lzc\nlock-file: " + DIR + "/cycle.lock\nmariadb:\n  socket: " + host.guestSocket()
                    + "\n  user: root\n  password-file: " + DIR + "/mariadb.password\n  quiesce: ftwrl\n  lock-budget: 5s\n"
                    + "datasets: [" + String.join(", ", pool.zimbraDatasets()) + "]\n";
            vm.bash(T, "umask 077 && printf '%s\\n' '" + host.rootPassword() + "' > " + DIR + "/mariadb.password").orThrow();
            for (String[] c : List.of(new String[] {"auto", "libzfs_core"}, new String[] {"off", "zfs-command"})) {
                vm.bash(T, "cat > " + DIR + "/zmsnap-" + c[0] + ".yaml <<'ZMSNAP_EOF'\n" + yaml + "zfs:\n  libzfs-core: " + c[0]
                        + "\nZMSNAP_EOF\n").orThrow();
                Proc.Result snap = zmsnap(vm, "snapshot", "--json", "--config", DIR + "/zmsnap-" + c[0] + ".yaml");
                assertEquals(0, snap.exitCode(), snap.stdout() + snap.stderr());
                String log = snap.stderr();
                System.out.println("LibZfsCoreOpenZfsIT: libzfs-core " + c[0] + ": " + log.lines()
                        .filter(l -> l.contains("taken:") || l.contains("snapshots are taken")).toList());
                assertTrue(log.contains("snapshot=") && log.contains(" via " + c[1] + " "), log);
                JsonNode set = new ObjectMapper().readTree(snap.stdout());
                assertTrue(set.get("consistent").asBoolean(), set.toString());
                String tag = set.get("tag").asText();
                for (String ds : pool.zimbraDatasets()) {
                    assertEquals("yes", pool.zfs("get", "-H", "-o", "value", "org.zmsnap:consistent", ds + "@" + tag).stdout().strip(),
                            ds + "@" + tag + " is a complete, consistent member of the set");
                }
            }
        }
    }

    /** bin/zmsnap, the CLI's jar and libraries, and the test's probe class, in the guest as in the tree. */
    static void copyIn(OpenZfsVm vm) {
        vm.copyIn(ROOT, List.of("bin/zmsnap", "cli/target/zmsnap-cli.jar", "cli/target/lib",
                "cli/target/test-classes/org/zmsnap/cli/LzcSnapshotMain.class"), DIR, Duration.ofMinutes(5));
    }

    /** The guest's java on the copied classpath; C2 alone under TCG (C1's self-patching code crashed there). */
    static Proc.Result java(OpenZfsVm vm, List<String> mainAndArgs) {
        List<String> cmd = new ArrayList<>(List.of("java", "-Xss512k", "-XX:+UseSerialGC"));
        if (!vm.kvm()) {
            cmd.add("-XX:-TieredCompilation");
        }
        cmd.addAll(List.of("-cp", DIR + "/cli/target/zmsnap-cli.jar:" + DIR + "/cli/target/lib/*:" + DIR + "/cli/target/test-classes"));
        cmd.addAll(mainAndArgs);
        return vm.run(T, cmd.toArray(String[]::new));
    }

    static Proc.Result zmsnap(OpenZfsVm vm, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "ZMSNAP_CDS_ARCHIVE=", "ZMSNAP_LOG_LEVEL=INFO"));
        if (!vm.kvm()) {
            cmd.add("ZMSNAP_JAVA_OPTS=-Xss512k -XX:+UseSerialGC -XX:-TieredCompilation");
        }
        cmd.add(DIR + "/bin/zmsnap");
        cmd.addAll(List.of(args));
        return vm.run(T, cmd.toArray(String[]::new));
    }
}
