package org.zmsnap.config;

import java.text.ParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * The one rule for schedule keys: a five-field crontab expression ({@code min hour day-of-month month day-of-week}, as
 * in crontab(5)) or Quartz's six or seven fields ({@code sec min hour day-of-month month day-of-week [year]}). The
 * configuration keeps the Quartz form, so everything after loading (the scheduler, the period of a policy) sees one
 * syntax. Errors say what is wrong in the form the user wrote.
 */
public final class Cron {
    private Cron() {}

    /** One crontab field: its name in messages, its range, and the names it accepts. */
    private record Field(String name, int min, int max, List<String> names) {}

    private static final Field MINUTE = new Field("minute", 0, 59, List.of());
    private static final Field HOUR = new Field("hour", 0, 23, List.of());
    private static final Field DAY_OF_MONTH = new Field("day-of-month", 1, 31, List.of());
    private static final Field MONTH = new Field("month", 1, 12,
            List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"));
    /** crontab numbers days 0-7, 0 and 7 both Sunday; Quartz 1-7 from Sunday. Names say the same in both. */
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN");
    private static final Field DAY_OF_WEEK = new Field("day-of-week", 0, 7, DAYS.subList(0, 7));

    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");

    /** {@code a}, {@code a-b} or {@code *}, optionally {@code /step}; a and b numbers or names. */
    private static final Pattern ITEM = Pattern.compile("(\\*|([0-9]{1,4}|[A-Z]{3})(?:-([0-9]{1,4}|[A-Z]{3}))?)(?:/([0-9]{1,4}))?");

    /**
     * The Quartz form of {@code expression}.
     *
     * @throws IllegalArgumentException saying what is wrong, for an expression in neither form
     */
    public static String toQuartz(String expression) {
        String e = expression.strip();
        String macro = MACROS.get(e.toLowerCase(Locale.ROOT));
        if (macro != null) {
            e = macro;
        } else if (e.startsWith("@")) {
            throw new IllegalArgumentException(e + " is not a schedule zmsnap knows (@hourly, @daily, @weekly, @monthly, @yearly)");
        }
        String[] f = e.isEmpty() ? new String[0] : e.split("\\s+");
        return switch (f.length) {
            case 5 -> fromCrontab(f);
            case 6, 7 -> quartz(String.join(" ", f), f);
            default -> throw new IllegalArgumentException("has " + f.length + " fields: write five as in crontab"
                    + " (min hour day-of-month month day-of-week, e.g. \"*/15 * * * *\") or Quartz's six or seven"
                    + " (sec min hour day-of-month month day-of-week [year], e.g. \"0 */15 * * * ?\")");
        };
    }

    private static String quartz(String e, String[] f) {
        if (!f[3].equals("?") && !f[5].equals("?")) {
            throw new IllegalArgumentException("in Quartz's six-field form one of day-of-month (4th) and day-of-week (6th)"
                    + " must be '?', e.g. \"0 0 3 * * ?\" or \"0 0 3 ? * MON\"; or write five crontab fields (\"0 3 * * *\")");
        }
        try {
            new CronExpression(e);
        } catch (ParseException ex) {
            throw new IllegalArgumentException("Quartz: " + ex.getMessage(), ex);
        }
        return e;
    }

    private static String fromCrontab(String[] f) {
        String minute = field(MINUTE, f[0]);
        String hour = field(HOUR, f[1]);
        String month = field(MONTH, f[3]);
        String dom = field(DAY_OF_MONTH, f[2]);
        String dow = field(DAY_OF_WEEK, f[4]);
        boolean anyDom = f[2].equals("*");
        boolean anyDow = f[4].equals("*");
        if (!anyDom && !anyDow) {
            // crontab fires when EITHER matches; Quartz cannot say "or" across the two fields.
            throw new IllegalArgumentException("restricts both day-of-month (" + f[2] + ") and day-of-week (" + f[4]
                    + "): crontab then fires when either matches, which a single Quartz schedule cannot express;"
                    + " keep one of them '*' (or use two policies)");
        }
        String q = String.join(" ", "0", minute, hour, anyDom && !anyDow ? "?" : dom, month, anyDow ? "?" : dow);
        try {
            new CronExpression(q);
        } catch (ParseException ex) {
            throw new IllegalArgumentException("becomes Quartz \"" + q + "\", which Quartz refuses: " + ex.getMessage(), ex);
        }
        return q;
    }

    /** Checks one crontab field and writes it for Quartz: numbers mean the same in both except in day-of-week. */
    private static String field(Field field, String value) {
        for (String item : value.toUpperCase(Locale.ROOT).split(",", -1)) {
            item(field, value, item);
        }
        if (field == DAY_OF_WEEK) {
            return days(value);
        }
        // Month names become numbers (the same 1-12 in both): Quartz ignores the step of a named range ("JAN-DEC/3").
        return NAME.matcher(value.toUpperCase(Locale.ROOT)).replaceAll(m -> Integer.toString(number(field, m.group(), value)));
    }

    private static final Pattern NAME = Pattern.compile("[A-Z]{3}");

    /**
     * Day-of-week is written out as the days it means, by name: crontab counts 0-7 from Sunday (7 Sunday again),
     * Quartz 1-7 from Sunday, and Quartz drops the step of a named range ("MON-FRI/2" fires every weekday), so
     * translating a range would be wrong where listing the days is not.
     */
    private static String days(String value) {
        boolean[] on = new boolean[7];
        for (String item : value.toUpperCase(Locale.ROOT).split(",")) {
            int[] r = item(DAY_OF_WEEK, value, item);
            for (int d = r[0]; d <= r[1]; d += r[2]) {
                on[d % 7] = true;
            }
        }
        StringBuilder out = new StringBuilder();
        for (int d = 0; d < 7; d++) {
            if (!on[d]) {
                continue;
            }
            int end = d;
            while (end + 1 < 7 && on[end + 1]) {
                end++;
            }
            out.append(out.isEmpty() ? "" : ",").append(DAYS.get(d));
            if (end > d) {
                out.append(end > d + 1 ? "-" : ",").append(DAYS.get(end));
            }
            d = end;
        }
        return out.toString();
    }

    /** Checks one item of a field; returns its first and last value and its step. */
    private static int[] item(Field field, String value, String item) {
        Matcher m = ITEM.matcher(item);
        if (!m.matches()) {
            throw new IllegalArgumentException(field.name + " '" + value + "' is not crontab syntax (numbers"
                    + (field.names.isEmpty() ? "" : " or names such as " + field.names.get(1).toLowerCase(Locale.ROOT))
                    + ", '*', ranges a-b, lists a,b and steps /n; L, W, # and ? are Quartz's: use its six-field form)");
        }
        int step = m.group(4) == null ? 1 : Integer.parseInt(m.group(4));
        if (step == 0) {
            throw new IllegalArgumentException(field.name + " '" + value + "': a step of 0 never advances");
        }
        if (m.group(2) == null) {
            return new int[] {field.min, field == DAY_OF_WEEK ? 6 : field.max, step};
        }
        int from = number(field, m.group(2), value);
        int to = m.group(3) == null ? (m.group(4) == null ? from : field.max) : number(field, m.group(3), value);
        if (to < from) {
            throw new IllegalArgumentException(field.name + " '" + value + "': range " + m.group(2) + "-" + m.group(3)
                    + " runs backwards");
        }
        return new int[] {from, to, step};
    }

    private static int number(Field field, String token, String value) {
        int n;
        if (Character.isDigit(token.charAt(0))) {
            n = Integer.parseInt(token);
        } else {
            n = field.names.indexOf(token);
            if (n < 0) {
                throw new IllegalArgumentException(field.name + " '" + value + "': '" + token.toLowerCase(Locale.ROOT)
                        + "' is not a name for it" + (field.names.isEmpty() ? " (numbers only)" : " (" + String.join(", ",
                        field.names).toLowerCase(Locale.ROOT) + ")"));
            }
            n += field.min;
        }
        if (n < field.min || n > field.max) {
            throw new IllegalArgumentException(field.name + " " + n + " is out of range " + field.min + "-" + field.max);
        }
        return n;
    }
}
