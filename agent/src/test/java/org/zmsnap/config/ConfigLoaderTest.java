package org.zmsnap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.zfs.DatasetName;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private static final String MINIMAL = """
            mariadb:
              socket: /run/mysqld/mysqld.sock
            datasets:
              - tank/zimbra/db
              - tank/zimbra/store
            """;

    private static Config parse(String yaml) {
        return ConfigLoader.parse(yaml, Path.of("test.yaml"));
    }

    private static ConfigException error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml));
    }

    private static ZfsTarget zfsTarget(Config c, String name) {
        return assertInstanceOf(ZfsTarget.class, c.targets().get(name));
    }

    @Test
    void defaultsAreWhatAZimbraAdminExpects() {
        Config c = parse(MINIMAL);
        assertEquals(QuiesceMethod.AUTO, c.mariadb().quiesce(), "backup-stage where the server has it, ftwrl before 10.4");
        assertEquals(Duration.ofSeconds(2), c.mariadb().lockBudget());
        assertEquals(OnLockFailure.CRASH_CONSISTENT, c.mariadb().onLockFailure());
        assertEquals("root", c.mariadb().user());
        assertInstanceOf(Credentials.None.class, c.mariadb().credentials());
        assertEquals("zfs", c.zfs().command());
        assertEquals(2, c.datasets().size());
        assertEquals(Path.of("/run/zmsnap/cycle.lock"), c.lockFile());
    }

    @Test
    void theSnapshotGoesThroughLibzfsCoreUnlessTurnedOff() {
        assertEquals(LibZfsCoreMode.AUTO, parse(MINIMAL).zfs().libZfsCore(), "the default");
        assertEquals(LibZfsCoreMode.AUTO, parse(MINIMAL + "zfs:\n  libzfs-core: auto\n").zfs().libZfsCore());
        assertEquals(LibZfsCoreMode.OFF, parse(MINIMAL + "zfs:\n  libzfs-core: off\n").zfs().libZfsCore());
        assertEquals("zfs.libzfs-core: 'of' is not one of auto | off (did you mean 'off'?) (line 7)",
                error(MINIMAL + "zfs:\n  libzfs-core: of\n").getMessage());
    }

    @Test
    void thisHostPrunesALocalTargetButNotARemoteOneUnlessTold() throws Exception {
        Path key = Files.writeString(dir.resolve("id"), "key");
        Path known = Files.writeString(dir.resolve("known"), "host");
        String remote = "    host: dr.example.com\n    identity: " + key + "\n    known-hosts: " + known + "\n    root: backup/mbox1\n";
        Config c = parse(MINIMAL + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 2 }\n"
                + "targets:\n  here:\n    host: local\n    root: backup2/mbox1\n"
                + "  dr1:\n" + remote
                + "  dr2:\n" + remote.replace("mbox1", "mbox2") + "    prune: true\n");
        assertTrue(zfsTarget(c, "here").prune(), "local: no serve in between, retention from here");
        assertTrue(!zfsTarget(c, "dr1").prune(), "remote: its serve is append-only; the DR host prunes");
        assertTrue(zfsTarget(c, "dr2").prune(), "explicit, for a serve started with --allow-destroy");
        assertEquals(TargetConfig.DEFAULT_MIN_RATE, c.targets().get("dr1").minRate());
        assertEquals(java.time.Duration.ZERO, c.targets().get("dr1").maxDuration());
        Config bounded = parse(MINIMAL + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 2 }\n"
                + "targets:\n  dr1:\n" + remote + "    min-rate: 0\n    max-duration: 2h\n");
        assertEquals(0, bounded.targets().get("dr1").minRate());
        assertEquals(java.time.Duration.ofHours(2), bounded.targets().get("dr1").maxDuration());
        ConfigException bad = error(MINIMAL + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 2 }\n"
                + "targets:\n  dr1:\n" + remote + "    prune: sometimes\n");
        assertEquals("targets.dr1.prune", bad.path());
    }

    @Test
    void eachTargetTypeBecomesItsOwnKindWithItsOwnSettings() throws Exception {
        Path key = Files.writeString(dir.resolve("id"), "key");
        Path known = Files.writeString(dir.resolve("known"), "host");
        String ssh = "    host: dr.example.com\n    port: 2222\n    user: backup\n    identity: " + key + "\n    known-hosts: " + known + "\n";
        String policies = "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 2 }\n";
        Config c = parse(MINIMAL + policies + "targets:\n"
                + "  dr1:\n" + ssh + "    root: backup/mbox1\n    on-divergence: rollback\n    zfs-command: /sbin/zfs\n"
                + "    parallel-streams: 2\n"
                + "  files:\n    type: rsync\n" + ssh + "    path: /srv/dr/mbox1\n    bandwidth: 1MiB/s\n    rpo: 6h\n");
        ZfsTarget z = zfsTarget(c, "dr1");
        assertEquals(DatasetName.of("backup/mbox1"), z.root());
        assertEquals(DatasetName.of("backup/mbox1/zimbra/db"), z.targetOf(DatasetName.of("tank/zimbra/db")));
        assertTrue(z.rollbackOnDivergence());
        assertEquals("/sbin/zfs", z.remoteZfs());
        assertEquals(2, z.parallelStreams());
        assertEquals(ZfsTarget.DEFAULT_PARALLEL_STREAMS, zfsTarget(parse(MINIMAL + policies + "targets:\n  here:\n"
                + "    host: local\n    root: backup2/mbox1\n"), "here").parallelStreams());
        RsyncTarget r = assertInstanceOf(RsyncTarget.class, c.targets().get("files"));
        assertEquals(Path.of("/srv/dr/mbox1"), r.path());
        assertEquals("dr.example.com", r.host());
        assertEquals(2222, r.port());
        assertEquals("backup", r.user());
        assertEquals(key, r.identity().orElseThrow());
        assertEquals(known, r.knownHosts().orElseThrow());
        assertEquals(1024 * 1024, r.bandwidth());
        assertEquals(Duration.ofHours(6), r.rpo());
        assertEquals(java.util.Map.of("hourly", 2), r.keep());
        assertTrue(!r.local());

        ConfigException noPath = error(MINIMAL + policies + "targets:\n  files:\n    type: rsync\n" + ssh);
        assertEquals("targets.files.path: is required for type rsync: the directory on the DR host", noPath.getMessage());
        ConfigException noRoot = error(MINIMAL + policies + "targets:\n  dr1:\n" + ssh);
        assertEquals("targets.dr1.root: is required for type zfs: the DR dataset that receives, e.g. backup/mbox1", noRoot.getMessage());
        ConfigException local = error(MINIMAL + policies + "targets:\n  files:\n    type: rsync\n    host: local\n    path: /srv/dr\n");
        assertEquals("targets.files.host: rsync targets are remote (a DR site without ZFS); for a local pool use type zfs",
                local.getMessage());
        ConfigException type = error(MINIMAL + policies + "targets:\n  dr1:\n    type: nfs\n" + ssh + "    root: backup/mbox1\n");
        assertEquals("targets.dr1.type: 'nfs' is not one of zfs | rsync", type.getMessage());
        // The other kind's keys are read and checked for both, as they always were.
        ConfigException streams = error(MINIMAL + policies + "targets:\n  files:\n    type: rsync\n" + ssh
                + "    path: /srv/dr\n    parallel-streams: 99\n");
        assertEquals("targets.files.parallel-streams", streams.path());
    }

    @Test
    void readsTheDocumentedExample() throws Exception {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "secret\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        Config c = parse("""
                host: mbox1
                mariadb:
                  url: jdbc:mariadb://127.0.0.1:7306/
                  user: root
                  password-file: %s
                  quiesce: backup-stage
                  lock-budget: 500ms
                  on-lock-failure: skip
                datasets: [tank/zimbra/db, tank/zimbra/store, tank/zimbra/index, tank/zimbra/redolog]
                policies:
                  hourly: { schedule: "0 0 * * * ?", keep: 48 }
                """.formatted(pw));
        assertEquals("mbox1", c.host());
        assertEquals(QuiesceMethod.BACKUP_STAGE, c.mariadb().quiesce());
        assertEquals(Duration.ofMillis(500), c.mariadb().lockBudget());
        assertEquals(OnLockFailure.SKIP, c.mariadb().onLockFailure());
        assertEquals(new Credentials.PasswordFile(pw), c.mariadb().credentials());
        assertEquals(48, c.policies().get("hourly").keep());
    }

    @Test
    void unknownKeyNamesItsPathAndTheClosestValidKey() {
        ConfigException e = error(MINIMAL.replace("  socket:", "  lock-budgte: 2s\n  socket:"));
        assertEquals("mariadb.lock-budgte", e.path());
        assertTrue(e.getMessage().contains("did you mean 'lock-budget'"), e.getMessage());
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void unknownTopLevelKey() {
        ConfigException e = error(MINIMAL + "dataset: [x]\n");
        assertEquals("dataset", e.path());
        assertTrue(e.getMessage().contains("did you mean 'datasets'"), e.getMessage());
    }

    @Test
    void wrongTypesAndValuesNameTheKey() {
        assertEquals("mariadb.lock-budget", error(MINIMAL.replace("  socket:", "  lock-budget: soon\n  socket:")).path());
        assertEquals("mariadb.lock-budget", error(MINIMAL.replace("  socket:", "  lock-budget: 10m\n  socket:")).path());
        ConfigException q = error(MINIMAL.replace("  socket:", "  quiesce: ftwr\n  socket:"));
        assertEquals("mariadb.quiesce", q.path());
        assertTrue(q.getMessage().contains("did you mean 'ftwrl'"), q.getMessage());
        assertEquals("datasets", error("mariadb: {socket: /s}\ndatasets: tank/a\n").path());
        assertEquals("datasets[1]", error("mariadb: {socket: /s}\ndatasets: [tank/a, 'tank/b c']\n").path());
        assertEquals("mariadb", error("mariadb: yes\ndatasets: [tank/a]\n").path());
    }

    @Test
    void missingRequiredValues() {
        assertEquals("datasets", error("mariadb: {socket: /s}\n").path());
        assertEquals("mariadb", error("datasets: [tank/a]\n").path());
        assertEquals("mariadb.socket", error("mariadb: {user: root}\ndatasets: [tank/a]\n").path());
        assertTrue(error("").getMessage().contains("empty"));
    }

    @Test
    void datasetsInTwoPoolsAreRefused() {
        ConfigException e = error("mariadb: {socket: /s}\ndatasets: [tank/zimbra/db, other/zimbra/store]\n");
        assertTrue(e.getMessage().contains("2 pools"), e.getMessage());
    }

    @Test
    void duplicateDatasetAndDuplicateKeyAreRefused() {
        assertEquals("datasets[1]", error("mariadb: {socket: /s}\ndatasets: [tank/a, tank/a]\n").path());
        assertTrue(error("mariadb: {socket: /s}\nmariadb: {socket: /t}\ndatasets: [tank/a]\n").getMessage().contains("line"));
    }

    @Test
    void passwordFileReadableByOthersIsRefused() throws Exception {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "secret\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-r--r--"));
        ConfigException e = error(MINIMAL.replace("  socket:", "  password-file: " + pw + "\n  socket:"));
        assertEquals("mariadb.password-file", e.path());
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void socketAndUrlTogetherAreRefused() {
        assertEquals("mariadb.url", error(MINIMAL.replace("  socket:", "  url: jdbc:mariadb://h/\n  socket:")).path());
    }

    @Test
    void badCronNamesThePolicyAndExpression() {
        ConfigException e = error(MINIMAL + "policies:\n  hourly: { schedule: \"every hour\", keep: 3 }\n");
        assertEquals("policies.hourly.schedule", e.path());
        assertTrue(e.getMessage().contains("every hour"), e.getMessage());
    }

    @Test
    void crontabFormIsKeptInQuartzForm() {
        Config c = parse(MINIMAL + "policies:\n  quarter: { schedule: \"*/15 * * * *\", keep: 3 }\n"
                + "  weekly: { schedule: \"0 3 * * 0\", keep: 3 }\n  hourly: { schedule: \"0 0 * * * ?\", keep: 3 }\n"
                + "targets:\n  here:\n    host: local\n    root: backup2/mbox1\n    schedule: \"30 * * * *\"\n"
                + "verify:\n  schedule: \"0 4 * * mon\"\n");
        assertEquals("0 */15 * * * ?", c.policies().get("quarter").schedule());
        assertEquals("0 0 3 ? * SUN", c.policies().get("weekly").schedule());
        assertEquals("0 0 * * * ?", c.policies().get("hourly").schedule());
        assertEquals("0 30 * * * ?", c.targets().get("here").schedule().orElseThrow());
        assertEquals("0 0 4 ? * MON", c.verify().orElseThrow().schedule());
    }

    @Test
    void cronErrorsNameTheKeyTheLineAndTheReason() {
        ConfigException e = error(MINIMAL + "policies:\n  hourly:\n    keep: 3\n    schedule: \"0 3 1 * mon\"\n");
        assertEquals("policies.hourly.schedule", e.path());
        assertTrue(e.getMessage().contains("(line 9)"), e.getMessage());
        assertTrue(e.getMessage().contains("either matches"), e.getMessage());
        e = error(MINIMAL + "policies:\n  hourly: { schedule: \"0 0 3 * * *\", keep: 3 }\n");
        assertTrue(e.getMessage().contains("must be '?'") && e.getMessage().contains("(line 7)"), e.getMessage());
        e = error(MINIMAL + "verify:\n  schedule: \"61 * * * *\"\n");
        assertEquals("verify.schedule", e.path());
        assertTrue(e.getMessage().contains("minute 61 is out of range 0-59") && e.getMessage().contains("(line 7)"),
                e.getMessage());
        e = error(MINIMAL + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 3 }\n"
                + "targets:\n  here:\n    host: local\n    root: backup2/mbox1\n    schedule: \"0 0 * *\"\n");
        assertEquals("targets.here.schedule", e.path());
        assertTrue(e.getMessage().contains("(line 12)"), e.getMessage());
    }

    @Test
    void verifySectionWithDefaultsAndEveryKey() {
        assertTrue(parse(MINIMAL).verify().isEmpty(), "no drills unless configured");
        VerifyConfig v = parse(MINIMAL + "verify:\n  schedule: \"0 30 4 * * ?\"\n").verify().orElseThrow();
        assertEquals("0 30 4 * * ?", v.schedule());
        assertEquals(0.01, v.sample());
        assertEquals(Duration.ofDays(7), v.fullEvery());
        v = parse(MINIMAL + "verify: { schedule: \"0 0 3 * * ?\", sample: 0.05, full-every: 1d }\n").verify().orElseThrow();
        assertEquals(0.05, v.sample());
        assertEquals(Duration.ofDays(1), v.fullEvery());
        assertEquals(10, v.nice(), "drills are polite by default");
        assertEquals(VerifyConfig.IoClass.BEST_EFFORT, v.ionice());
        v = parse(MINIMAL + "verify: { schedule: \"0 0 3 * * ?\", nice: 0, ionice: idle }\n").verify().orElseThrow();
        assertEquals(0, v.nice());
        assertEquals(VerifyConfig.IoClass.IDLE, v.ionice());
        assertEquals(VerifyConfig.IoClass.NONE, parse(MINIMAL + "verify: { schedule: \"0 0 3 * * ?\", ionice: none }\n")
                .verify().orElseThrow().ionice());
    }

    @Test
    void verifySectionIsStrict() {
        assertEquals("verify.schedule", error(MINIMAL + "verify: { sample: 0.1 }\n").path());
        assertEquals("verify.schedule", error(MINIMAL + "verify: { schedule: daily }\n").path());
        ConfigException e = error(MINIMAL + "verify: { schedule: \"0 0 3 * * ?\", sample: 1.5 }\n");
        assertEquals("verify.sample", e.path());
        assertTrue(e.getMessage().contains("fraction"), e.getMessage());
        assertEquals("verify.full-every", error(MINIMAL + "verify: { schedule: \"0 0 3 * * ?\", full-every: weekly }\n").path());
        assertEquals("verify.full-every", error(MINIMAL + "verify: { schedule: \"0 0 3 * * ?\", full-every: 0s }\n").path());
        assertTrue(error(MINIMAL + "verify: { schedule: \"0 0 3 * * ?\", smaple: 0.1 }\n").path().startsWith("verify.smaple"));
        assertEquals("verify.nice", error(MINIMAL + "verify: { schedule: \"0 0 3 * * ?\", nice: 20 }\n").path());
        e = error(MINIMAL + "verify: { schedule: \"0 0 3 * * ?\", ionice: realtime }\n");
        assertEquals("verify.ionice", e.path());
        assertTrue(e.getMessage().contains("best-effort, idle or none"), e.getMessage());
    }

    @Test
    void invalidYamlSaysWhere() {
        assertTrue(error("mariadb: [\n").getMessage().contains("line"));
    }

    @Test
    void durationsAndSizes() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
        assertEquals(Duration.ofHours(2), Durations.parse("2h"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("2"));
        assertEquals(50L << 20, Sizes.parse("50MiB"));
        assertEquals(2L << 30, Sizes.parse("2G"));
        assertEquals(512, Sizes.parse("512"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("lots"));
    }
}
