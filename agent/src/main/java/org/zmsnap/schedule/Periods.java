package org.zmsnap.schedule;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.TimeZone;
import org.quartz.CronExpression;

/** A cron schedule's period: the gap between two consecutive fire times (the smallest over a sample). */
public final class Periods {
    private Periods() {}

    public static Duration of(String cron, Instant from) {
        CronExpression e;
        try {
            e = new CronExpression(cron);
        } catch (ParseException ex) {
            throw new IllegalArgumentException(cron + ": " + ex.getMessage(), ex);
        }
        e.setTimeZone(TimeZone.getTimeZone("UTC"));
        // A schedule like "0 0 3 ? * SUN" has one gap; "0 0 9-17 ? * MON-FRI" has hourly, nightly and weekend
        // gaps: take the longest over a week of firings (bounded for per-second schedules), so 'twice the
        // period' never judges a legitimate quiet time as a failure.
        Date t = e.getNextValidTimeAfter(Date.from(from));
        long horizon = from.plus(Duration.ofDays(8)).toEpochMilli();
        long longest = 0;
        for (int i = 0; i < 5_000 && t != null && (i < 2 || t.getTime() <= horizon); i++) {
            Date next = e.getNextValidTimeAfter(t);
            if (next == null) {
                break;
            }
            longest = Math.max(longest, next.getTime() - t.getTime());
            t = next;
        }
        if (longest == 0) {
            throw new IllegalArgumentException(cron + " fires at most once");
        }
        return Duration.ofMillis(longest);
    }
}
