package org.zmsnap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.text.ParseException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Date;
import java.util.EnumSet;
import java.util.Set;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.quartz.CronExpression;

class CronTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "*/15 * * * *      | 0 */15 * * * ?",
            "0 3 * * *         | 0 0 3 * * ?",
            "30 2 1 * *        | 0 30 2 1 * ?",
            "0 4 * * 0         | 0 0 4 ? * SUN",
            "0 4 * * 7         | 0 0 4 ? * SUN",
            "0 4 * * mon       | 0 0 4 ? * MON",
            "0 4 * * Sun       | 0 0 4 ? * SUN",
            "0 9-17 * * 1-5    | 0 0 9-17 ? * MON-FRI",
            "0 0 * * mon-fri   | 0 0 0 ? * MON-FRI",
            "0 0 * * 5-7       | 0 0 0 ? * SUN,FRI,SAT",
            "0 0 * * 0-7       | 0 0 0 ? * SUN-SAT",
            "0 0 * * 1,3,5     | 0 0 0 ? * MON,WED,FRI",
            "0 0 * * */2       | 0 0 0 ? * SUN,TUE,THU,SAT",
            "0 0 * * 1-5/2     | 0 0 0 ? * MON,WED,FRI",
            "0 0 * * 0,7       | 0 0 0 ? * SUN",
            "0 0 * * wed-sat   | 0 0 0 ? * WED-SAT",
            "0 0 1 jan *       | 0 0 0 1 1 ?",
            "0 0 1 jan-dec/3 * | 0 0 0 1 1-12/3 ?",
            "0 0 1 Mar,sep *   | 0 0 0 1 3,9 ?",
            "0 0 1 1-6/2 *     | 0 0 0 1 1-6/2 ?",
            "5,35 */2 * * *    | 0 5,35 */2 * * ?",
            "@daily            | 0 0 0 * * ?",
            "@hourly           | 0 0 * * * ?",
            "@weekly           | 0 0 0 ? * SUN",
            "'  0  3 * *   * ' | 0 0 3 * * ?",
            // Quartz's own forms are kept as written
            "0 */15 * * * ?    | 0 */15 * * * ?",
            "0 0 3 ? * SUN     | 0 0 3 ? * SUN",
            "0 0 4 L * ?       | 0 0 4 L * ?",
            "0 0 4 ? * 6#3     | 0 0 4 ? * 6#3",
            "0 0 4 * * ? 2030  | 0 0 4 * * ? 2030",
    })
    void convertsToQuartz(String crontab, String quartz) {
        assertEquals(quartz, Cron.toQuartz(crontab));
    }

    /** The conversion means the same days: crontab's 0-7 from Sunday against Quartz's 1-7 from Sunday. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "0 0 * * 0       | SUNDAY",
            "0 0 * * 7       | SUNDAY",
            "0 0 * * 6       | SATURDAY",
            "0 0 * * 1-5     | MONDAY,TUESDAY,WEDNESDAY,THURSDAY,FRIDAY",
            "0 0 * * 5-7     | FRIDAY,SATURDAY,SUNDAY",
            "0 0 * * */2     | SUNDAY,TUESDAY,THURSDAY,SATURDAY",
            "0 0 * * 1-5/2   | MONDAY,WEDNESDAY,FRIDAY",
            "0 0 * * 0-7     | MONDAY,TUESDAY,WEDNESDAY,THURSDAY,FRIDAY,SATURDAY,SUNDAY",
            "0 0 * * sat,sun | SATURDAY,SUNDAY",
    })
    void firesOnTheDaysCrontabMeans(String crontab, String days) throws ParseException {
        Set<DayOfWeek> expected = EnumSet.noneOf(DayOfWeek.class);
        for (String d : days.split(",")) {
            expected.add(DayOfWeek.valueOf(d));
        }
        assertEquals(expected, daysFired(Cron.toQuartz(crontab)));
    }

    @Test
    void aStepOverNamedMonthsIsKept() throws ParseException {
        CronExpression e = new CronExpression(Cron.toQuartz("0 0 1 jan-dec/3 *"));
        e.setTimeZone(TimeZone.getTimeZone("UTC"));
        Date t = Date.from(Instant.parse("2026-01-15T00:00:00Z"));
        StringBuilder months = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            t = e.getNextValidTimeAfter(t);
            months.append(ZonedDateTime.ofInstant(t.toInstant(), ZoneOffset.UTC).getMonthValue()).append(' ');
        }
        assertEquals("4 7 10 1 ", months.toString());
    }

    @Test
    void everyFifteenMinutesFiresAtQuarterHours() throws ParseException {
        CronExpression e = new CronExpression(Cron.toQuartz("*/15 * * * *"));
        e.setTimeZone(TimeZone.getTimeZone("UTC"));
        Date t = e.getNextValidTimeAfter(Date.from(Instant.parse("2026-01-01T10:07:30Z")));
        assertEquals(Instant.parse("2026-01-01T10:15:00Z"), t.toInstant());
    }

    private static Set<DayOfWeek> daysFired(String quartz) throws ParseException {
        CronExpression e = new CronExpression(quartz);
        e.setTimeZone(TimeZone.getTimeZone("UTC"));
        Set<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
        Date t = Date.from(Instant.parse("2026-01-04T12:00:00Z"));
        for (int i = 0; i < 14; i++) {
            t = e.getNextValidTimeAfter(t);
            out.add(ZonedDateTime.ofInstant(t.toInstant(), ZoneOffset.UTC).getDayOfWeek());
        }
        return out;
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "0 0 3 * * *           | must be '?'",
            "0 0 3 * * MON         | must be '?'",
            "0 0 3 1 * MON         | must be '?'",
            "0 3 1 * mon           | either matches",
            "0 3 */2 * 1           | either matches",
            "60 * * * *            | minute 60 is out of range 0-59",
            "0 24 * * *            | hour 24 is out of range 0-23",
            "0 0 0 * *             | day-of-month 0 is out of range 1-31",
            "0 0 1 13 *            | month 13 is out of range 1-12",
            "0 0 * * 8             | day-of-week 8 is out of range 0-7",
            "0 0 * * mun           | 'mun' is not a name",
            "0 0 * foo *           | 'foo' is not a name",
            "0 0 * * 5-1           | runs backwards",
            "*/0 * * * *           | step of 0",
            "0 0 L * *             | Quartz's",
            "0 0 ? * MON           | Quartz's",
            "0 0 * * 1#2           | Quartz's",
            "every hour            | 2 fields",
            "''                    | 0 fields",
            "* * * *               | 4 fields",
            "0 0 0 0 * * ? 2030 1  | 9 fields",
            "@reboot               | not a schedule",
            "0 0 25 * * ?          | Quartz:",
    })
    void badInputSaysWhatIsWrong(String expression, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cron.toQuartz(expression));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"* * * * *", "0 0 1 1 *", "59 23 31 12 *", "0 0 * * 0,7"})
    void everyAcceptedCrontabIsAValidQuartzExpression(String crontab) {
        assertTrue(CronExpression.isValidExpression(Cron.toQuartz(crontab)), Cron.toQuartz(crontab));
    }
}
