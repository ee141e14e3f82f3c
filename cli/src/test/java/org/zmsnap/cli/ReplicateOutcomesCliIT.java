package org.zmsnap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.ZfsPool;

/**
 * {@code zmsnap replicate} and {@code zmsnap targets} tell the same outcome in one vocabulary, and never call a
 * target that received nothing "up to date" — against real zfs-fuse pools and mariadbd (a local DR pool).
 */
class ReplicateOutcomesCliIT {
    static final ObjectMapper JSON = new ObjectMapper();
    SnapshotHost host;
    ZfsPool dr;

    @BeforeEach
    void start() {
        host = new SnapshotHost();
        dr = ZfsPool.createEmpty("dr", "1G");
    }

    @AfterEach
    void stop() {
        try {
            dr.close();
        } finally {
            host.close();
        }
    }

    Path config(String root) {
        return host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 5 }\n"
                + "targets:\n  dr1:\n    type: zfs\n    host: local\n    root: " + root + "\n"
                + "    keep: { hourly: 10 }\n    stall-timeout: 10s\n");
    }

    CliRun.Result run(String... args) {
        return CliRun.run(host.dir, args);
    }

    JsonNode targetsJson(Path cfg) throws Exception {
        CliRun.Result t = run("targets", "--config", cfg.toString(), "--json");
        assertEquals(0, t.exit(), t.err());
        return JSON.readTree(t.out()).get(0);
    }

    @Test
    void beforeAnySetExistsTheRunSaysNothingEligibleAndFailsUnlessAllowEmpty() throws Exception {
        Path cfg = config(dr.name() + "/mbox1");
        CliRun.Result r = run("replicate", "--config", cfg.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("zmsnap: dr1: nothing-eligible: no snapshot set exists yet"), r.err());
        assertFalse(r.out().contains("up"), r.out());

        CliRun.Result allowed = run("replicate", "--config", cfg.toString(), "--allow-empty", "--json");
        assertEquals(0, allowed.exit(), allowed.err());
        JsonNode j = JSON.readTree(allowed.out()).get(0);
        assertEquals("nothing-eligible", j.get("result").asText());
        assertTrue(j.get("reason").asText().contains("no snapshot set exists yet"), j.toString());

        JsonNode t = targetsJson(cfg);
        assertEquals("nothing-eligible", t.get("last_result").asText(), t.toString());
        assertTrue(t.get("last_reason").asText().contains("no snapshot set exists yet"), t.toString());
        CliRun.Result table = run("targets", "--config", cfg.toString());
        assertTrue(table.out().contains("last nothing-eligible: no snapshot set exists yet"), table.out());
    }

    @Test
    void onlyManualSetsAreNothingEligibleAndTheReasonNamesThePolicies() throws Exception {
        Path cfg = config(dr.name() + "/mbox1");
        CliRun.Result snap = run("snapshot", "--config", cfg.toString());
        assertEquals(0, snap.exit(), snap.err());
        CliRun.Result r = run("replicate", "--config", cfg.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("nothing-eligible: no set of a policy target dr1 keeps: it keeps only hourly, the sets here are"
                + " manual (1)"), r.err());
        assertTrue(r.err().contains("without --policy makes manual sets"), r.err());
        assertTrue(dr.snapshots().isEmpty(), dr.snapshots().toString());
    }

    @Test
    void aSentSetIsReplicatedThenUpToDateInTextJsonAndTargets() throws Exception {
        Path cfg = config(dr.name() + "/mbox1");
        assertEquals(0, run("snapshot", "--config", cfg.toString(), "--policy", "hourly").exit());
        CliRun.Result first = run("replicate", "--config", cfg.toString());
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().startsWith("dr1: replicated: now at zmsnap_hourly_"), first.out());

        CliRun.Result again = run("replicate", "--config", cfg.toString(), "--json");
        assertEquals(0, again.exit(), again.err());
        assertEquals("up-to-date", JSON.readTree(again.out()).get(0).get("result").asText(), again.out());
        CliRun.Result text = run("replicate", "--config", cfg.toString());
        assertTrue(text.out().startsWith("dr1: up-to-date: at zmsnap_hourly_"), text.out());

        JsonNode t = targetsJson(cfg);
        assertEquals("up-to-date", t.get("last_result").asText(), t.toString());
        assertTrue(t.get("last_reason").isNull(), t.toString());
        assertTrue(t.get("newest_common").asText().startsWith("zmsnap_hourly_"), t.toString());
    }

    @Test
    void aFailedRunCarriesItsReasonIntoTargets() throws Exception {
        Path cfg = config("nosuchpool-" + ProcessHandle.current().pid() + "/mbox1");
        assertEquals(0, run("snapshot", "--config", cfg.toString(), "--policy", "hourly").exit());
        CliRun.Result r = run("replicate", "--config", cfg.toString(), "--json");
        assertEquals(1, r.exit(), r.out() + r.err());
        JsonNode j = JSON.readTree(r.out()).get(0);
        assertEquals("failed", j.get("result").asText(), j.toString());
        String reason = j.get("reason").asText();
        assertFalse(reason.isBlank(), j.toString());
        assertTrue(r.err().contains("zmsnap: dr1: failed: "), r.err());

        JsonNode t = targetsJson(cfg);
        assertEquals("failed", t.get("last_result").asText(), t.toString());
        assertEquals(reason.replaceAll("[^\\x20-\\x7E]", "?"), t.get("last_reason").asText());
        CliRun.Result table = run("targets", "--config", cfg.toString());
        assertTrue(table.out().contains("last failed: "), table.out());
    }

    @Test
    void libraryLogLinesReachStderrOnlyWithVerbose() throws Exception {
        Path wrong = host.dir.resolve("wrong.password");
        Files.writeString(wrong, "not-the-password\n");
        Files.setPosixFilePermissions(wrong, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                .replace("password-file: " + host.db.passwordFile(), "password-file: " + wrong));
        CliRun.Result quiet = CliRun.run(host.dir, List.of("-Dlogback.configurationFile=logback.xml"), "snapshot", "--config",
                cfg.toString());
        assertEquals(1, quiet.exit(), quiet.err());
        assertTrue(quiet.err().contains("refused the login"), quiet.err());
        assertFalse(quiet.err().contains("ErrorPacket"), quiet.err());

        // Without Zimbra's tables, the coverage check's query of zimbra.volume gets an error packet, which
        // Connector/J logs at WARN: shown with --verbose only. With the logging bin/zmsnap has (the agent jar's
        // logback.xml), not the tests' logback-test.xml, which silences org.mariadb on its own.
        List<String> production = List.of("-Dlogback.configurationFile=logback.xml");
        Path good = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", ""));
        CliRun.Result plain = CliRun.run(host.dir, production, "snapshot", "--config", good.toString());
        assertEquals(0, plain.exit(), plain.err());
        assertFalse(plain.err().contains("ErrorPacket"), plain.err());
        CliRun.Result verbose = CliRun.run(host.dir, production, "snapshot", "--config", good.toString(), "--verbose");
        assertEquals(0, verbose.exit(), verbose.err());
        assertTrue(verbose.err().contains("ErrorPacket") && verbose.err().contains("zimbra"), verbose.err());
        assertTrue(verbose.err().contains("INFO"), "zmsnap's own INFO lines too: " + verbose.err());
    }
}
