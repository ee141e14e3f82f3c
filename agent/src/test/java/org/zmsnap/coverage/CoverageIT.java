package org.zmsnap.coverage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zmsnap.AgentContext;
import org.zmsnap.check.CheckReport;
import org.zmsnap.check.CheckResult;
import org.zmsnap.check.ConfigCheck;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.daemon.Zmsnapd;
import org.zmsnap.fixtures.MariaDbServer;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.zimbra.ZimbraSchema;
import org.zmsnap.metrics.Health;
import org.zmsnap.metrics.Metrics;
import org.zmsnap.schedule.CycleService;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SetReport;
import picocli.CommandLine;

/**
 * Coverage against a real zfs-fuse pool and real mariadbd servers: each way a set can miss what Zimbra needs
 * (datadir, a volume, the InnoDB redo log, a symlink out of the dataset) fails {@code zmsnapd --check} and makes
 * the cycle's set {@code consistent=no} with the reason; the correct layout passes.
 */
class CoverageIT {
    static SnapshotHost host;
    static Path outside;

    @BeforeAll
    static void start() throws Exception {
        host = new SnapshotHost();
        outside = Files.createDirectories(host.dir.resolve("outside"));
    }

    @AfterAll
    static void stop() {
        if (host != null) {
            host.close();
        }
    }

    @BeforeEach
    void noZimbraTables() throws Exception {
        host.sql("DROP DATABASE IF EXISTS zimbra", "DROP USER IF EXISTS 'zmnovolume'@'localhost'");
    }

    static Path mount(String leaf) {
        return host.pool.mountpoint(host.pool.dataset(leaf));
    }

    static void volumes(Path store, Path index) throws Exception {
        try (Connection c = host.connectDb()) {
            ZimbraSchema.create(c, store, index);
        }
    }

    static String yaml(MariaDbServer db) {
        return host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "").replace(host.mariadbConnectionYaml(),
                "  socket: " + db.socket() + "\n  user: root\n  password-file: " + db.passwordFile() + "\n");
    }

    static Config config(String yaml) {
        return ConfigLoader.parse(yaml, host.dir.resolve("zmsnap.yaml"));
    }

    static Config hostConfig() {
        return config(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", ""));
    }

    static CoverageReport check(Config cfg) {
        try (AgentContext ctx = new AgentContext(cfg)) {
            return ctx.coverage().check();
        }
    }

    /** zmsnapd --check: exit code and everything it printed. */
    static Map.Entry<Integer, String> zmsnapdCheck(Config cfg) throws Exception {
        Path file = host.dir.resolve("check.yaml");
        Files.writeString(file, Files.exists(cfg.source()) ? Files.readString(cfg.source()) : "");
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(buf, true, StandardCharsets.UTF_8);
        try {
            System.setOut(p);
            System.setErr(p);
            int rc = new CommandLine(new Zmsnapd()).execute("--check", "--config", file.toString());
            return Map.entry(rc, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static Config written(String yaml) throws Exception {
        Files.writeString(host.dir.resolve("zmsnap.yaml"), yaml);
        return config(yaml);
    }

    /** A cycle takes its set, but calls it consistent=no with the coverage reason; the properties say so. */
    static SetReport assertInconsistentSet(Config cfg, String... reasonParts) {
        CycleOutcome o;
        try (AgentContext ctx = new AgentContext(cfg)) {
            o = ctx.snapshotCycle().run("manual");
        }
        SetReport r = assertInstanceOf(CycleOutcome.Taken.class, o, o.toString()).report();
        assertFalse(r.consistent(), r.toString());
        assertTrue(r.note().contains("coverage: "), r.note());
        for (String part : reasonParts) {
            assertTrue(r.note().contains(part), "'" + part + "' not in: " + r.note());
        }
        Map<String, String> props = host.userProps(host.pool.dataset("db") + "@" + r.tag().name());
        assertEquals("no", props.get("org.zmsnap:consistent"), props.toString());
        assertEquals("no", props.get("org.zmsnap:coverage"), props.toString());
        assertTrue(props.get("org.zmsnap:note").contains("coverage: "), props.toString());
        return r;
    }

    /** zmsnap check: the data paths line fails, naming the path, and so does the whole check. */
    static void assertCheckFails(Config cfg, String path) {
        CheckReport report;
        try (AgentContext ctx = new AgentContext(cfg)) {
            report = new ConfigCheck(cfg, ctx.zfs(), ctx.quiescer(), ctx.coverage(), java.util.Optional.empty()).run();
        }
        assertTrue(report.failed(), report.toString());
        assertTrue(report.results().stream().anyMatch(x -> x instanceof CheckResult.Fail f && f.area().equals("mariadb")
                && f.what().equals("data paths") && f.detail().contains(path) && f.detail().contains("consistent=no")), report.toString());
    }

    /** The daemon's cycle path (CycleService) on one context, so the cycles share one CoverageCheck and its cache. */
    record Daemon(AgentContext ctx, Metrics metrics, Health health, CycleService service) implements AutoCloseable {
        static Daemon of(Config cfg) {
            AgentContext ctx = new AgentContext(cfg);
            Metrics metrics = new Metrics("testhost", cfg.mariadb().lockBudget(), Map.of("hourly", java.time.Duration.ofHours(1)));
            Health health = new Health(Map.of("hourly", java.time.Duration.ofHours(1)), Clock.systemUTC());
            return new Daemon(ctx, metrics, health, new CycleService(ctx, metrics, health, Clock.systemUTC(), p -> { }));
        }

        SetReport cycle() {
            CycleOutcome o = service.snapshot("hourly");
            return assertInstanceOf(CycleOutcome.Taken.class, o, o.toString()).report();
        }

        String coverageMetric() {
            String scrape = metrics.scrape();
            return scrape.lines().filter(l -> l.startsWith("zmsnap_coverage_ok{")).findFirst().orElseThrow(() -> new AssertionError(scrape));
        }

        @Override
        public void close() {
            metrics.close();
            ctx.close();
        }
    }

    static String daemonYaml(String yaml) {
        return yaml + "metrics:\n  enabled: false\npolicies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 5 }\n";
    }

    static void assertViolation(CoverageReport r, String what, String path, String belongsOn) {
        assertFalse(r.ok(), r.toString());
        String problem = r.problems().stream().filter(p -> p.startsWith(what)).findFirst()
                .orElseThrow(() -> new AssertionError("no problem about " + what + " in " + r.problems()));
        assertTrue(problem.contains(path), problem);
        assertTrue(problem.contains("Move it onto " + belongsOn), problem);
    }

    @Test
    void theCorrectLayoutPassesAndTheSetIsConsistent() throws Exception {
        // the index volume is reached through a symlink that leads into the index dataset: covered
        Path link = host.dir.resolve("index-link");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, mount("index"));
        volumes(mount("store"), link);
        Config cfg = written(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", ""));

        CoverageReport r = check(cfg);
        assertTrue(r.ok(), r.problems().toString());
        var covered = assertInstanceOf(CoverageReport.Checked.class, r).covered();
        assertEquals(List.of("MariaDB datadir (@@datadir)", "message volume 1 'message1' (zimbra.volume)",
                "index volume 2 'index1' (zimbra.volume)"), covered.stream().map(c -> c.path().what()).toList());
        assertEquals(List.of(host.pool.dataset("db"), host.pool.dataset("store"), host.pool.dataset("index")),
                covered.stream().map(CoverageReport.Covered::dataset).toList());

        var check = zmsnapdCheck(cfg);
        assertEquals(0, check.getKey(), check.getValue());
        assertTrue(check.getValue().contains("covered: "), check.getValue());

        try (AgentContext ctx = new AgentContext(cfg)) {
            SetReport s = assertInstanceOf(CycleOutcome.Taken.class, ctx.snapshotCycle().run("manual")).report();
            assertTrue(s.consistent(), s.note());
            Map<String, String> props = host.userProps(host.pool.dataset("store") + "@" + s.tag().name());
            assertEquals("yes", props.get("org.zmsnap:coverage"));
            assertEquals("yes", props.get("org.zmsnap:consistent"));
        }
    }

    @Test
    void withoutZimbraTablesTheVolumesAreAWarningNotAFailure() throws Exception {
        Config cfg = written(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", ""));
        CoverageReport r = check(cfg);
        assertTrue(r.ok(), r.problems().toString());
        assertTrue(r.warnings().get(0).contains("zimbra.volume does not exist"), r.warnings().toString());
        var check = zmsnapdCheck(cfg);
        assertEquals(0, check.getKey(), check.getValue());
        assertTrue(check.getValue().contains("warning: zimbra.volume does not exist"), check.getValue());
    }

    @Test
    void aDatadirOutsideTheDatasetsFailsTheCheckAndMakesTheSetInconsistent() throws Exception {
        Path datadir = outside.resolve("mysql-data");
        try (MariaDbServer other = MariaDbServer.start(datadir)) {
            Config cfg = written(yaml(other));
            assertViolation(check(cfg), "MariaDB datadir (@@datadir)", datadir.toString(), host.pool.dataset("db"));

            var check = zmsnapdCheck(cfg);
            assertEquals(1, check.getKey(), check.getValue());
            assertTrue(check.getValue().contains("MariaDB datadir (@@datadir) " + datadir), check.getValue());
            assertTrue(check.getValue().contains(host.pool.dataset("db")), check.getValue());

            assertInconsistentSet(cfg, "@@datadir", datadir.toString());
        }
    }

    @Test
    void aMessageVolumeOutsideTheDatasetsMakesTheSetInconsistentAndHealthAndTheMetricSaySo() throws Exception {
        Path store = Files.createDirectories(outside.resolve("store"));
        volumes(store, mount("index"));
        Config cfg = written(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                + "metrics:\n  enabled: false\npolicies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 2 }\n");
        assertViolation(check(cfg), "message volume 1 'message1'", store.toString(), host.pool.dataset("store"));
        assertEquals(1, zmsnapdCheck(cfg).getKey());
        assertCheckFails(cfg, store.toString());

        // the daemon's path: a cycle, then health and the metric
        try (AgentContext ctx = new AgentContext(cfg);
             Metrics metrics = new Metrics("testhost", cfg.mariadb().lockBudget(), Map.of("hourly", java.time.Duration.ofHours(1)))) {
            Health health = new Health(Map.of("hourly", java.time.Duration.ofHours(1)), Clock.systemUTC());
            CycleOutcome o = new CycleService(ctx, metrics, health, Clock.systemUTC(), p -> { }).snapshot("hourly");
            SetReport r = assertInstanceOf(CycleOutcome.Taken.class, o).report();
            assertFalse(r.consistent());
            assertTrue(r.note().contains(store.toString()), r.note());
            Health.Status st = health.status();
            assertFalse(st.ok());
            assertTrue(st.reasons().stream().anyMatch(x -> x.startsWith("coverage: message volume 1") && x.contains(store.toString())),
                    st.reasons().toString());
            String scrape = metrics.scrape();
            assertTrue(scrape.contains("zmsnap_coverage_ok{host=\"testhost\"} 0.0"), scrape);
            assertTrue(scrape.contains("zmsnap_snapshot_total{host=\"testhost\",policy=\"hourly\",result=\"inconsistent\"} 1.0"),
                    scrape);
        }
    }

    @Test
    void anInnodbLogDirOutsideTheDatasetsFailsTheCheckAndMakesTheSetInconsistent() throws Exception {
        Path logDir = outside.resolve("redo");
        Path datadir = mount("db").resolve("data-with-outside-redo");
        try (MariaDbServer other = MariaDbServer.start(datadir, MariaDbServer.Options.zimbraDefaults().withInnodbLogDir(logDir))) {
            Config cfg = written(yaml(other));
            CoverageReport r = check(cfg);
            assertViolation(r, "InnoDB redo log directory (@@innodb_log_group_home_dir)", logDir.toString(), host.pool.dataset("db"));
            assertEquals(1, r.problems().size(), r.problems().toString()); // the datadir itself is on the db dataset
            assertEquals(1, zmsnapdCheck(cfg).getKey());
            assertInconsistentSet(cfg, "@@innodb_log_group_home_dir", logDir.toString());
        }
    }

    @Test
    void aVolumeThatIsASymlinkLeadingOutsideIsOutside() throws Exception {
        Path target = Files.createDirectories(outside.resolve("real-index"));
        Path link = mount("index").resolve("linked");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, target);
        volumes(mount("store"), link);
        Config cfg = written(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", ""));
        CoverageReport r = check(cfg);
        assertViolation(r, "index volume 2 'index1'", link + " (resolves to " + target + ")", host.pool.dataset("index"));
        var check = zmsnapdCheck(cfg);
        assertEquals(1, check.getKey(), check.getValue());
        assertTrue(check.getValue().contains("resolves to " + target), check.getValue());
        assertInconsistentSet(cfg, "index volume 2", target.toString());
    }

    @Test
    void eachCycleSeesAVolumeMovedOutsideAndBackAndHealthAndTheMetricFollow() throws Exception {
        volumes(mount("store"), mount("index"));
        Path store = Files.createDirectories(outside.resolve("moved-store"));
        Config cfg = written(daemonYaml(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")));
        try (Daemon d = Daemon.of(cfg)) {
            SetReport first = d.cycle();
            assertTrue(first.consistent(), first.note());
            assertTrue(d.health().status().ok(), d.health().status().toString());
            assertEquals("zmsnap_coverage_ok{host=\"testhost\"} 1.0", d.coverageMetric());

            // Zimbra's admin moves the message volume (zmvolume -e): the next cycle, not a restart, notices
            host.sql("UPDATE zimbra.volume SET path = '" + store + "' WHERE id = 1");
            SetReport moved = d.cycle();
            assertFalse(moved.consistent(), moved.note());
            assertTrue(moved.note().contains("message volume 1") && moved.note().contains(store.toString()), moved.note());
            assertEquals("no", host.userProps(host.pool.dataset("store") + "@" + moved.tag().name()).get("org.zmsnap:coverage"));
            assertFalse(d.health().status().ok());
            assertTrue(d.health().status().reasons().stream().anyMatch(x -> x.contains(store.toString())), d.health().status().toString());
            assertEquals("zmsnap_coverage_ok{host=\"testhost\"} 0.0", d.coverageMetric());

            host.sql("UPDATE zimbra.volume SET path = '" + mount("store") + "' WHERE id = 1");
            SetReport back = d.cycle();
            assertTrue(back.consistent(), back.note());
            assertTrue(d.health().status().ok(), d.health().status().toString());
            assertEquals("zmsnap_coverage_ok{host=\"testhost\"} 1.0", d.coverageMetric());
        }
    }

    @Test
    void aSetTakenWhileThePathsCannotBeReadIsNotGreenAnywhere() throws Exception {
        // The lock works (RELOAD, SUPER), but the account may not read zimbra.volume: the set is taken with coverage
        // unknown. Health and the metric must not stay green over it, and they recover once the paths can be read.
        volumes(mount("store"), mount("index"));
        host.sql("CREATE USER 'zmnovolume'@'localhost' IDENTIFIED BY 'novolume1'", "GRANT RELOAD, SUPER ON *.* TO 'zmnovolume'@'localhost'");
        Path pw = host.dir.resolve("novolume.pw");
        Files.writeString(pw, "novolume1\n");
        Files.setPosixFilePermissions(pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Config cfg = written(daemonYaml(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                .replace("user: root\n", "user: zmnovolume\n").replace("password-file: " + host.db.passwordFile(), "password-file: " + pw)));
        try (Daemon d = Daemon.of(cfg)) {
            SetReport r = d.cycle();
            assertFalse(r.consistent(), r.note());
            assertTrue(r.note().contains("coverage could not be checked"), r.note());
            Map<String, String> props = host.userProps(host.pool.dataset("db") + "@" + r.tag().name());
            assertEquals("unknown", props.get("org.zmsnap:coverage"), props.toString());
            assertEquals("no", props.get("org.zmsnap:consistent"), props.toString());
            Health.Status st = d.health().status();
            assertFalse(st.ok(), st.toString());
            assertTrue(st.reasons().stream().anyMatch(x -> x.startsWith("coverage: coverage could not be checked")), st.toString());
            assertEquals("zmsnap_coverage_ok{host=\"testhost\"} 0.0", d.coverageMetric());

            host.sql("GRANT SELECT ON zimbra.volume TO 'zmnovolume'@'localhost'");
            SetReport after = d.cycle();
            assertTrue(after.consistent(), after.note());
            assertTrue(d.health().status().ok(), d.health().status().toString());
            assertEquals("zmsnap_coverage_ok{host=\"testhost\"} 1.0", d.coverageMetric());
        }
    }
}
