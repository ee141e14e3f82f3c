package org.zmsnap.check;

import java.util.List;
import org.zmsnap.config.Config;
import org.zmsnap.config.QuiesceMethod;
import org.zmsnap.coverage.CoverageCheck;
import org.zmsnap.coverage.CoverageReport;
import org.zmsnap.mariadb.Privileges;
import org.zmsnap.mariadb.QuiesceReadiness;
import org.zmsnap.mariadb.Quiescer;

/** The mailbox host's database: the login, each privilege the quiesce method needs, and the data paths' coverage. */
final class MariaDbCheck {
    private MariaDbCheck() {}

    static List<CheckResult> run(Config cfg, Quiescer quiescer, CoverageCheck coverage) {
        Lines l = new Lines("mariadb");
        if (cfg.mariadb().quiesce() == QuiesceMethod.NONE) {
            l.warn("quiesce", "quiesce: none: sets are taken without a database lock and marked not consistent",
                    "set mariadb.quiesce to auto (the default) unless crash-consistent sets are what you want");
        }
        QuiesceReadiness[] found = new QuiesceReadiness[1];
        boolean reached = cfg.mariadb().quiesce() == QuiesceMethod.NONE || l.attempt("login",
                "check mariadb.socket (or url), mariadb.user and the password source (password-file), and that mariadbd runs",
                x -> found[0] = quiescer.readiness());
        if (found[0] != null) {
            QuiesceReadiness r = found[0];
            l.ok("login", r.server());
            if (!r.lock().isEmpty() && r.unsupported().isEmpty()) {
                l.ok("quiesce", r.lock());
            }
            r.unsupported().ifPresent(why -> l.fail("quiesce", why, "set mariadb.quiesce: auto or ftwrl (docs/compatibility.md)"));
            for (Privileges.Need n : r.needed()) {
                String what = "privilege " + n.name();
                if (!r.missing().contains(n)) {
                    l.ok(what, "granted (" + n.why() + ")");
                } else if (n.required()) {
                    l.fail(what, "missing: " + n.why() + "; without it every snapshot cycle fails",
                            "as a MariaDB admin run: " + Privileges.grantStatement(List.of(n), r.account()));
                } else {
                    l.warn(what, "missing: " + n.why(), "as a MariaDB admin run: " + Privileges.grantStatement(List.of(n), r.account()));
                }
            }
        }
        if (reached) {
            String account = found[0] == null ? cfg.mariadb().user() + "@localhost" : found[0].account();
            l.attempt("data paths", "check the mariadb section", x -> coverage(x, coverage.check(), account));
        }
        return l.results();
    }

    private static void coverage(Lines l, CoverageReport report, String account) {
        if (report instanceof CoverageReport.Unchecked u) {
            // a cycle treats an unchecked coverage as a miss: its set is marked consistent=no
            l.fail("data paths", "could not be checked: " + u.reason() + "; every set would be marked consistent=no",
                    u.reason().contains("denied") ? "the account reads Zimbra's volumes; as a MariaDB admin run: "
                            + Privileges.grantStatement("SELECT", "zimbra.volume", account)
                            : "make the paths MariaDB reports readable on this host (see docs/configuration.md, 'Recommended layout')");
            return;
        }
        report.warnings().forEach(w -> l.warn("data paths", w, "see 'Recommended layout' in docs/configuration.md"));
        report.problems().forEach(p -> l.fail("data paths", p + "; every set would be marked consistent=no",
                "see 'Recommended layout' in docs/configuration.md"));
        if (report.ok()) {
            l.ok("data paths", "the datadir, the InnoDB logs and Zimbra's volumes are on the configured datasets");
        }
    }
}
