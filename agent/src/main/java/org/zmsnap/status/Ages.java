package org.zmsnap.status;

import java.time.Duration;

/** Ages as an admin reads them on one line: {@code 42 s}, {@code 17 min}, {@code 5 h 3 min}, {@code 3 d 4 h}. */
final class Ages {
    private Ages() {}

    static String of(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 120) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min";
        }
        if (s < 86400) {
            return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
        }
        return s / 86400 + " d" + (s % 86400 / 3600 == 0 ? "" : " " + s % 86400 / 3600 + " h");
    }
}
