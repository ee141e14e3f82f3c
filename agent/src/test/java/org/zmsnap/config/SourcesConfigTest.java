package org.zmsnap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.zfs.DatasetName;

/** The DR host's {@code sources:} section: strict like the rest, and a config with only sources is valid. */
class SourcesConfigTest {
    @TempDir
    Path dir;

    private static Config parse(String yaml) {
        return ConfigLoader.parse(yaml, Path.of("dr.yaml"));
    }

    private static ConfigException error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml));
    }

    @Test
    void aDrHostConfigHasOnlySources() throws Exception {
        Path key = Files.writeString(dir.resolve("id"), "k");
        Path known = Files.writeString(dir.resolve("known_hosts"), "");
        Config c = parse("""
                host: dr1
                sources:
                  mbox1:
                    datasets: [tank/zimbra/db, tank/zimbra/store]
                    root: backup/mbox1
                    keep: { hourly: 48, daily: 30 }
                    mountpoints:
                      tank/zimbra/db: /opt/zimbra/db
                    pull:
                      host: mbox1.example.com
                      identity: %s
                      known-hosts: %s
                      schedule: "0 */15 * * * ?"
                      bandwidth: 50MiB/s
                  mbox2:
                    datasets: [tank/zimbra]
                    root: backup/mbox2
                    keep: { daily: 7 }
                """.formatted(key, known));
        assertFalse(c.mailboxHost());
        assertEquals(List.of(), c.datasets());
        SourceConfig s = c.source("mbox1");
        assertEquals(DatasetName.of("backup/mbox1/zimbra/db"), s.copyOf(DatasetName.of("tank/zimbra/db")));
        assertEquals(48, s.keep().get("hourly"));
        assertEquals(Path.of("/opt/zimbra/db"), s.mountpoints().get(DatasetName.of("tank/zimbra/db")));
        SourceConfig.Pull p = s.pull().orElseThrow();
        assertEquals(22, p.port());
        assertEquals("zmsnap", p.user());
        assertEquals(Optional.of("0 */15 * * * ?"), p.schedule());
        assertEquals(50L << 20, p.bandwidth());
        assertEquals(Duration.ofHours(2), s.rpo());
        assertTrue(c.source("mbox2").pull().isEmpty(), "no pull: mbox2 pushes through zmsnap serve");
        assertEquals(List.of("mbox1", "mbox2"), List.copyOf(c.sources().keySet()));
    }

    @Test
    void aPullIsBoundedByAMinimumRateAndOptionallyAMaxDuration() throws Exception {
        Path key = Files.writeString(dir.resolve("id"), "k");
        Path known = Files.writeString(dir.resolve("known_hosts"), "");
        String source = """
                sources:
                  mbox1:
                    datasets: [tank/zimbra/db]
                    root: backup/mbox1
                    keep: { daily: 7 }
                    pull:
                      host: mbox1.example.com
                      identity: %s
                      known-hosts: %s
                """.formatted(key, known);
        SourceConfig.Pull defaults = parse(source).source("mbox1").pull().orElseThrow();
        assertEquals(64 * 1024, defaults.minRate(), "a trickle is bounded by default");
        assertEquals(Duration.ZERO, defaults.maxDuration(), "no deadline by default: a first seed may take hours");
        SourceConfig.Pull set = parse(source + "      min-rate: 1MiB/s\n      max-duration: 6h\n").source("mbox1").pull().orElseThrow();
        assertEquals(1L << 20, set.minRate());
        assertEquals(Duration.ofHours(6), set.maxDuration());
        SourceConfig.Pull off = parse(source + "      min-rate: 0\n      max-duration: 0\n").source("mbox1").pull().orElseThrow();
        assertEquals(0, off.minRate());
        assertEquals(Duration.ZERO, off.maxDuration());
        // Under a small cap the default floor is lowered by the pump, never refused: only an explicit one above the cap is.
        assertEquals(64 * 1024, parse(source + "      bandwidth: 32KiB/s\n").source("mbox1").pull().orElseThrow().minRate());
        ConfigException above = error(source + "      bandwidth: 1MiB/s\n      min-rate: 2MiB/s\n");
        assertEquals("sources.mbox1.pull.min-rate", above.path());
        assertTrue(above.getMessage().contains("above the bandwidth cap"), above.getMessage());
        assertEquals("sources.mbox1.pull.max-duration", error(source + "      max-duration: soon\n").path());
    }

    @Test
    void pullAndPruneSchedulesTakeEitherCronForm() throws Exception {
        Path key = Files.writeString(dir.resolve("id"), "k");
        Path known = Files.writeString(dir.resolve("known_hosts"), "");
        String source = """
                sources:
                  mbox1:
                    datasets: [tank/zimbra/db]
                    root: backup/mbox1
                    keep: { daily: 7 }
                    prune-schedule: "%s"
                    pull:
                      host: mbox1.example.com
                      identity: %s
                      known-hosts: %s
                      schedule: "%s"
                """;
        SourceConfig s = parse(source.formatted("7 * * * *", key, known, "*/15 * * * *")).source("mbox1");
        assertEquals("0 7 * * * ?", s.pruneSchedule());
        assertEquals(Optional.of("0 */15 * * * ?"), s.pull().orElseThrow().schedule());
        s = parse(source.formatted("0 7 * * * ?", key, known, "0 */10 * * * ?")).source("mbox1");
        assertEquals("0 7 * * * ?", s.pruneSchedule());
        assertEquals(Optional.of("0 */10 * * * ?"), s.pull().orElseThrow().schedule());
        ConfigException e = error(source.formatted("7 * * *", key, known, "*/15 * * * *"));
        assertEquals("sources.mbox1.prune-schedule", e.path());
        assertTrue(e.getMessage().contains("(line 6)"), e.getMessage());
        e = error(source.formatted("7 * * * *", key, known, "*/15 * * * * *"));
        assertEquals("sources.mbox1.pull.schedule", e.path());
        assertTrue(e.getMessage().contains("(line 11)") && e.getMessage().contains("must be '?'"), e.getMessage());
    }

    @Test
    void commandsThatNeedDatasetsSayWhatToUseOnADrHost() {
        Config c = parse("""
                sources:
                  mbox1: { datasets: [tank/zimbra/db], root: backup/mbox1, keep: { daily: 7 } }
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> c.requireMailboxHost("snapshot"));
        assertTrue(e.getMessage().contains("--source") && e.getMessage().contains("mbox1"), e.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> c.source("mbox9"));
        assertTrue(unknown.getMessage().contains("unknown source 'mbox9'") && unknown.getMessage().contains("mbox1"), unknown.getMessage());
    }

    @Test
    void overlappingRootsNameBothSources() {
        ConfigException e = error("""
                sources:
                  mbox1: { datasets: [tank/zimbra/db], root: backup/mbox, keep: { daily: 7 } }
                  mbox2: { datasets: [tank/zimbra/db], root: backup/mbox/two, keep: { daily: 7 } }
                """);
        assertTrue(e.getMessage().contains("mbox1") && e.getMessage().contains("mbox2") && e.getMessage().contains("overlap"), e.getMessage());
    }

    @Test
    void badSourceEntriesAreErrorsNamingTheKey() {
        assertTrue(error("""
                sources:
                  mbox1: { datasets: [tank/zimbra/db], root: backup/mbox1 }
                """).getMessage().contains("sources.mbox1.keep"));
        assertTrue(error("""
                sources:
                  mbox1: { datasets: [tank/zimbra/db], root: backup/mbox1, keep: { daily: 7 }, kepe: 3 }
                """).getMessage().contains("kepe"));
        assertTrue(error("""
                sources:
                  mbox1: { root: backup/mbox1, keep: { daily: 7 } }
                """).getMessage().contains("sources.mbox1.datasets"));
        assertTrue(error("""
                sources:
                  mbox1:
                    datasets: [tank/zimbra/db]
                    root: backup/mbox1
                    keep: { daily: 7 }
                    mountpoints: { tank/zimbra/other: /opt/zimbra/x }
                """).getMessage().contains("not one of this source's datasets"));
        assertTrue(error("""
                sources:
                  mbox1:
                    datasets: [tank/zimbra/db]
                    root: backup/mbox1
                    keep: { daily: 7 }
                    pull: { host: mbox1, identity: /nonexistent/key, known-hosts: /nonexistent/kh }
                """).getMessage().contains("sources.mbox1.pull.identity"));
        assertTrue(error("""
                mariadb: { socket: /run/mysqld/mysqld.sock }
                sources:
                  mbox1: { datasets: [tank/zimbra/db], root: backup/mbox1, keep: { daily: 7 } }
                """).getMessage().contains("mariadb"));
    }
}
