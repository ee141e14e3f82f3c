package org.zmsnap.status;

import java.util.Locale;
import java.util.Map;

/**
 * One line of {@code zmsnap status}: what it is about, how it stands and, when it is not ok, why and what to do.
 *
 * @param section {@code daemon}, {@code policy}, {@code target}, {@code source} or {@code drill}
 * @param name    the policy, target, source or drill subject
 * @param summary the line as printed (newest set and age, lag, last result ...)
 * @param why     empty when ok; otherwise what is wrong and the command that says more
 * @param fields  the same facts for {@code --json}, in a stable order
 */
public record StatusItem(String section, String name, Level level, String summary, String why, Map<String, Object> fields) {
    public StatusItem {
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }

    /** ok; warn: worth a look, the backups still serve (a crash-consistent set, a promoted source); bad: they may not. */
    public enum Level {
        OK, WARN, BAD;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public Level worst(Level other) {
            return compareTo(other) >= 0 ? this : other;
        }
    }
}
