package org.zmsnap.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultReportTest {
    private final Machine machine = new Machine("AMD EPYC", 2, 24L << 30, "6.1.0", "fuse", "zfs-fuse 0.7.0",
            "MariaDB 10.11.19", "Debian 17.0.15", Instant.parse("2026-01-02T03:04:05Z"));
    private final BenchResult result = new BenchResult("generator", Map.of("accounts", 5),
            List.of(new BenchResult.Metric("generate rate", 651.4, "messages/s", 0),
                    new BenchResult.Metric("generate time", 15.36, "s", 1)));

    @Test
    void markdownRowsReadyToPaste() {
        String md = ResultReport.markdown(result, machine);
        assertTrue(md.contains("| generator | generate rate | 651 | messages/s |"), md);
        assertTrue(md.contains("| generator | generate time | 15.4 | s |"), md);
        assertTrue(md.startsWith("Machine: AMD EPYC, 2 cores, 24 GiB RAM, Linux 6.1.0, ZFS fuse"), md);
    }

    @Test
    void jsonCarriesMachineAndResults() {
        String json = Json.write(ResultReport.toJson(result, machine));
        assertTrue(json.contains("\"cpuModel\": \"AMD EPYC\""), json);
        assertTrue(json.contains("\"date\": \"2026-01-02T03:04:05Z\""), json);
        assertTrue(json.contains("\"value\": 651.4"), json);
    }

    @Test
    void mariadbVersionIsExtracted() {
        assertEquals("MariaDB 10.11.19-MariaDB-0+deb12u1",
                Machine.versionWord("/usr/sbin/mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64"));
    }

    @Test
    void argumentsByKey() {
        BenchContext ctx = new BenchContext(List.of("--accounts", "3", "--seed", "9"), java.nio.file.Path.of("."), System.err);
        assertEquals(3, ctx.intArg("--accounts", 5));
        assertEquals(2000, ctx.intArg("--messages", 2000));
        assertEquals(9L, ctx.longArg("--seed", 42));
    }
}
