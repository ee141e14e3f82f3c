package org.zmsnap.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses byte sizes: {@code 512}, {@code 64KiB}, {@code 50MiB}, {@code 1GiB}, {@code 2G} (binary units either way). */
public final class Sizes {
    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]?)(i?B)?", Pattern.CASE_INSENSITIVE);

    private Sizes() {}

    public static long parse(String text) {
        Matcher m = FORMAT.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("use a number with an optional unit: KiB, MiB, GiB, TiB");
        }
        double n = Double.parseDouble(m.group(1));
        int shift = switch (m.group(2).toUpperCase(java.util.Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        return Math.round(n * (1L << shift));
    }

    /** The inverse, for people: {@code 512 B}, {@code 64.0 KiB}, {@code 1.5 GiB} (one decimal from KiB up). */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
