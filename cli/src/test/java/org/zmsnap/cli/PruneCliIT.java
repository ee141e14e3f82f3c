package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zmsnap.fixtures.SnapshotHost;

/** {@code zmsnap prune --dry-run} shows the plan, set by set, against real zfs-fuse and mariadbd, and changes nothing. */
class PruneCliIT {
    SnapshotHost host;

    @BeforeEach
    void start() {
        host = new SnapshotHost();
    }

    @AfterEach
    void stop() {
        host.close();
    }

    String take(Path cfg, String... policy) throws Exception {
        List<String> args = new ArrayList<>(List.of("snapshot", "--config", cfg.toString(), "--json"));
        if (policy.length > 0) {
            args.addAll(List.of("--policy", policy[0]));
        }
        CliRun.Result r = CliRun.run(host.dir, args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        Thread.sleep(1100); // tags are to the second
        return new ObjectMapper().readTree(r.out()).get("tag").asText();
    }

    @Test
    void dryRunListsEverySetWithWhatWouldHappenAndWhy() throws Exception {
        Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 1 }\n");
        String old1 = take(cfg, "hourly");
        String old2 = take(cfg, "hourly");
        String newest = take(cfg, "hourly");
        String manual = take(cfg);
        List<String> before = host.snapshots();

        CliRun.Result r = CliRun.run(host.dir, "prune", "--config", cfg.toString(), "--dry-run");
        assertEquals(0, r.exit(), r.err());
        String out = r.out();
        assertTrue(out.contains("would destroy " + old1 + " (older than the newest 1 of hourly)"), out);
        assertTrue(out.contains("would destroy " + old2 + " (older than the newest 1 of hourly)"), out);
        assertTrue(out.contains("would keep    " + newest + " (newest 1 of hourly)"), out);
        assertTrue(out.contains("would keep    " + manual + " (policy 'manual' has no retention (not configured))"), out);
        assertTrue(out.contains("dry run: 2 set(s) to destroy, 2 kept"), out);
        assertEquals(before, host.snapshots(), "a dry run changes nothing");

        JsonNode j = new ObjectMapper().readTree(CliRun.run(host.dir, "prune", "--config", cfg.toString(), "--dry-run", "--json").out());
        assertEquals(4, j.get("plan").size(), j.toString());
        assertEquals(0, j.get("destroyed").size(), j.toString());
    }
}
