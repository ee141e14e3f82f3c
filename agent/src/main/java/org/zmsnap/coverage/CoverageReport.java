package org.zmsnap.coverage;

import java.nio.file.Path;
import java.util.List;

/** Whether the configured datasets hold everything a restore of Zimbra needs. */
public sealed interface CoverageReport {
    /** True only when every path was checked and is on a configured dataset. */
    boolean ok();

    /** One line per problem, for {@code --check}, the set's note, logs and {@code /healthz}; empty when ok. */
    List<String> problems();

    /** What could not be checked but is no failure (a database without Zimbra's tables). */
    List<String> warnings();

    /**
     * The set's {@code org.zmsnap:coverage} mark under this verdict: {@code yes}, {@code no} (a path outside), or
     * {@code unknown} (the paths could not be read).
     */
    default String mark() {
        return this instanceof Unchecked ? "unknown" : ok() ? "yes" : "no";
    }

    /** The paths were checked. */
    record Checked(List<Covered> covered, List<Violation> violations, List<String> warnings) implements CoverageReport {
        public Checked {
            covered = List.copyOf(covered);
            violations = List.copyOf(violations);
            warnings = List.copyOf(warnings);
        }

        @Override
        public boolean ok() {
            return violations.isEmpty();
        }

        @Override
        public List<String> problems() {
            return violations.stream().map(Violation::message).toList();
        }
    }

    /** MariaDB or the host could not be asked; nothing is known. */
    record Unchecked(String reason) implements CoverageReport {
        @Override
        public boolean ok() {
            return false;
        }

        @Override
        public List<String> problems() {
            return List.of("coverage could not be checked: " + reason);
        }

        @Override
        public List<String> warnings() {
            return List.of();
        }
    }

    record Covered(DataPath path, Path realPath, String dataset) {}

    /**
     * @param belongsOn the configured dataset it should be on, or a description of the one to create
     */
    record Violation(DataPath path, Path realPath, String foundOn, String belongsOn) {
        public String message() {
            String resolved = Path.of(path.path()).normalize().equals(realPath) ? "" : " (resolves to " + realPath + ")";
            return path.what() + " " + path.path() + resolved + " is not on a configured dataset: it is on " + foundOn
                    + ". Move it onto " + belongsOn + ", or add the dataset that holds it to 'datasets'";
        }
    }
}
