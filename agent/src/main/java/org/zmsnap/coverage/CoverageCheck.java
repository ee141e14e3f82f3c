package org.zmsnap.coverage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.exec.Command;
import org.zmsnap.exec.CommandRunner;
import org.zmsnap.mariadb.DbConnector;
import org.zmsnap.zfs.DatasetName;

/**
 * Checks that MariaDB's datadir, its InnoDB directories and every Zimbra volume lie on configured datasets
 * ({@link PathCoverage}). Paths are resolved where ZFS runs, through the same {@link CommandRunner} as the zfs
 * commands: {@code realpath -m} (every symlink resolved, also for a path that does not exist yet) and
 * {@code /proc/self/mountinfo}. For a cycle, the paths are read from MariaDB every time (one small query on a
 * connection of its own, before the lock); they are resolved again only when they changed or every
 * {@link #RECHECK}, so a cycle costs one query plus, now and then, two tiny commands.
 */
public final class CoverageCheck {
    private static final Logger LOG = LoggerFactory.getLogger(CoverageCheck.class);
    /** A cached verdict is trusted this long when MariaDB reports the same paths (a symlink may have moved). */
    public static final Duration RECHECK = Duration.ofMinutes(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final List<DatasetName> datasets;
    private final DbConnector db;
    private final CommandRunner runner;
    private final Clock clock;
    private DataPaths cachedPaths;
    private Instant cachedAt;
    private CoverageReport last;

    public CoverageCheck(List<DatasetName> datasets, DbConnector db, CommandRunner runner, Clock clock) {
        this.datasets = List.copyOf(datasets);
        this.db = db;
        this.runner = runner;
        this.clock = clock;
    }

    /** A full check now (zmsnapd start, {@code --check}). */
    public synchronized CoverageReport check() {
        CoverageReport r;
        try {
            r = resolve(readPaths());
        } catch (Unreadable e) {
            r = e.report;
        }
        return remember(r);
    }

    /** For a cycle: the cached verdict while MariaDB reports the same paths and it is younger than {@link #RECHECK}. */
    public synchronized CoverageReport forCycle() {
        DataPaths paths;
        try {
            paths = readPaths();
        } catch (Unreadable e) {
            return remember(e.report);
        }
        if (paths.equals(cachedPaths) && Duration.between(cachedAt, clock.instant()).compareTo(RECHECK) < 0
                && last instanceof CoverageReport.Checked) {
            return last;
        }
        return remember(resolve(paths));
    }

    /** The newest verdict, if any check ran. */
    public synchronized Optional<CoverageReport> last() {
        return Optional.ofNullable(last);
    }

    private CoverageReport remember(CoverageReport r) {
        if (!r.equals(last)) {
            // Logged when the verdict changes, not every cycle. Not being able to ask MariaDB is no verdict: the
            // cycle (or --check) fails on the same cause and reports it, so it is only noted here.
            if (r instanceof CoverageReport.Unchecked u) {
                LOG.info("coverage: {}", u.problems().get(0));
            } else {
                r.problems().forEach(p -> LOG.error("coverage: {}", p));
            }
            r.warnings().forEach(w -> LOG.warn("coverage: {}", w));
        }
        if (!(r instanceof CoverageReport.Checked)) {
            cachedPaths = null;
        }
        last = r;
        return r;
    }

    private static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;
        final transient CoverageReport report;

        Unreadable(CoverageReport report) {
            super(report.problems().get(0), null, false, false);
            this.report = report;
        }
    }

    private DataPaths readPaths() throws Unreadable {
        try (Connection c = db.open(TIMEOUT)) {
            return DataPaths.read(c);
        } catch (SQLException | RuntimeException e) {
            throw new Unreadable(new CoverageReport.Unchecked("cannot read the data paths from MariaDB on " + db.target()
                    + ": " + e.getMessage()));
        }
    }

    private CoverageReport resolve(DataPaths paths) {
        List<String> raw = paths.paths().stream().map(DataPath::path).toList();
        for (String p : raw) {
            if (p == null || !p.startsWith("/") || p.indexOf('\n') >= 0) {
                return new CoverageReport.Unchecked("MariaDB reported a path that is not absolute: '" + p + "'");
            }
        }
        List<String> real;
        MountTable mounts;
        try {
            List<String> argv = new ArrayList<>(List.of("realpath", "-m", "--"));
            argv.addAll(raw);
            real = runner.run(Command.of(TIMEOUT, argv)).orThrow().stdout().lines().toList();
            mounts = MountTable.parse(runner.run(Command.of(TIMEOUT, "cat", "/proc/self/mountinfo")).orThrow().stdout());
        } catch (RuntimeException e) {
            return new CoverageReport.Unchecked("cannot resolve the data paths on this host: " + e.getMessage());
        }
        if (real.size() != raw.size()) {
            return new CoverageReport.Unchecked("realpath answered " + real.size() + " lines for " + raw.size() + " paths");
        }
        PathCoverage rule = new PathCoverage(mounts, datasets.stream().map(DatasetName::value).toList());
        List<CoverageReport.Covered> covered = new ArrayList<>();
        List<CoverageReport.Violation> violations = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            DataPath dp = paths.paths().get(i);
            Path rp = Path.of(real.get(i));
            PathCoverage.Verdict v = rule.of(rp);
            if (v instanceof PathCoverage.Verdict.Covered c) {
                covered.add(new CoverageReport.Covered(dp, rp, c.dataset()));
            } else {
                violations.add(new CoverageReport.Violation(dp, rp, ((PathCoverage.Verdict.Outside) v).foundOn(), belongsOn(dp.role())));
            }
        }
        cachedPaths = paths;
        cachedAt = clock.instant();
        return new CoverageReport.Checked(covered, violations, paths.warnings());
    }

    /** The configured dataset named like the recommended layout's (…/db, …/store, …/index), else a description. */
    private String belongsOn(DataPath.Role role) {
        return datasets.stream().filter(d -> d.value().endsWith("/" + role.datasetLeaf)).map(DatasetName::value).findFirst()
                .orElse("a dataset listed in 'datasets' (the recommended layout: <pool>/zimbra/" + role.datasetLeaf + ")");
    }
}
