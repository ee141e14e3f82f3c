package org.zmsnap.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.zmsnap.AgentContext;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.restore.session.OpenedSnapshot;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.verify.SetVerifier;
import org.zmsnap.verify.VerifyMode;
import org.zmsnap.verify.VerifyReport;
import org.zmsnap.zimbra.BlobLocator;

/**
 * Restore drills with real zfs-fuse and mariadbd: the whole {@code zmsnap verify --full} of a host (the real
 * bin/zmsnap, JVM start, clone, sandbox start and teardown included), an incremental re-verify after 100 new
 * deliveries, and digest throughput against {@code cat} of the same blob files in the same clone. The blobs
 * were just generated, so both read from cache: this measures zmsnap's overhead over a plain read, not the disk.
 */
public final class VerifyBenchmark implements Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(30);

    @Override
    public String name() {
        return "verify";
    }

    @Override
    public String description() {
        return "verify --accounts 1 --messages 10000 [--seed 42]: full verify, incremental re-verify, digest MB/s vs cat";
    }

    @Override
    public BenchResult run(BenchContext ctx) throws Exception {
        int accounts = ctx.intArg("--accounts", 1);
        int messages = ctx.intArg("--messages", 10_000);
        long seed = ctx.longArg("--seed", 42);
        Path zmsnap = ctx.projectRoot().resolve("bin/zmsnap");
        if (!Files.isRegularFile(ctx.projectRoot().resolve("cli/target/zmsnap-cli.jar"))) {
            throw new IllegalStateException("cli/target/zmsnap-cli.jar is not built: ./mvnw -B -DskipTests package");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("accounts", accounts);
        params.put("messages_per_account", messages);
        params.put("seed", seed);
        List<BenchResult.Metric> metrics = new ArrayList<>();
        try (SnapshotHost host = new SnapshotHost("8G")) {
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            try (Connection c = host.db.connect()) {
                new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(accounts, messages).withSeed(seed)).generate(c, store);
            }
            Path workdir = host.dir.resolve("restore");
            Path cfg = host.writeConfig(host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                    + "restore:\n  workdir: " + workdir + "\n  mariadbd: /usr/sbin/mariadbd\n  datadir: data\n");
            String tag = snapshot(cfg);
            try {
                long t0 = System.nanoTime();
                JsonNode full = zmsnap(zmsnap, "verify", "-c", cfg.toString(), "--snapshot", tag, "--full", "--json");
                double wall = (System.nanoTime() - t0) / 1e9;
                ctx.log().printf("verify: full %.1f s: %s%n", wall, full);
                metrics.add(new BenchResult.Metric("full verify: items", full.get("items").asDouble(), "items", 0));
                metrics.add(new BenchResult.Metric("full verify: command wall time (JVM, clone, sandbox, checks, teardown)", wall, "s", 1));
                metrics.add(new BenchResult.Metric("full verify: checks (CHECK TABLE, rows, blobs, folders)", full.get("verify_ms").asDouble() / 1000, "s", 1));
                metrics.add(new BenchResult.Metric("full verify: blob MB read", full.get("bytes_read").asDouble() / 1e6, "MB", 0));
                metrics.add(new BenchResult.Metric("goal full verify <= 30 s met", wall <= 30 ? 1 : 0, "1 = yes", 0));

                throughput(ctx, cfg, tag, metrics);

                // 100 new deliveries (a new mailbox's worth), then the next set, verified incrementally.
                try (Connection c = host.db.connect()) {
                    var added = new ZimbraMailboxGenerator(ZimbraMailboxGenerator.Options.of(1, 100).withSeed(seed + 1)
                            .withFirstMailboxId(accounts + 1)).generate(c, store).accounts().get(0);
                    // The generator dates change_date by the message's date; Zimbra sets it to the time of the
                    // delivery, which is what an incremental verify goes by.
                    try (var s = c.createStatement()) {
                        s.executeUpdate("UPDATE mboxgroup" + added.groupId() + ".mail_item SET change_date = UNIX_TIMESTAMP()"
                                + " WHERE mailbox_id = " + added.mailboxId());
                    }
                }
                String next = snapshot(cfg);
                t0 = System.nanoTime();
                Proc.Result incRun = run(zmsnap, "verify", "-c", cfg.toString(), "--snapshot", next, "--json");
                wall = (System.nanoTime() - t0) / 1e9;
                JsonNode inc = JSON.readTree(incRun.stdout());
                ctx.log().printf("verify: incremental %.1f s: %s%n%s", wall, inc, incRun.stderr());
                if (!inc.get("mode").asText().equals("incremental")) {
                    throw new IllegalStateException("the re-verify was not incremental: " + inc);
                }
                metrics.add(new BenchResult.Metric("incremental re-verify after 100 deliveries: command wall time", wall, "s", 1));
                metrics.add(new BenchResult.Metric("incremental re-verify: digests checked (100 new + 1% sample)",
                        inc.get("digests_checked").asDouble(), "blobs", 0));
                metrics.add(new BenchResult.Metric("goal incremental <= 5 s met", wall <= 5 ? 1 : 0, "1 = yes", 0));
                phases(incRun.stderr(), wall, metrics);
            } catch (Exception e) {
                // The first failure is the one to see: a cleanup failing after it must not replace it.
                try (AgentContext agent = new AgentContext(ConfigLoader.load(cfg))) {
                    new RestoreService(agent).leftovers().remove(true);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            try (AgentContext agent = new AgentContext(ConfigLoader.load(cfg))) {
                new RestoreService(agent).leftovers().remove(true);
            }
        }
        return new BenchResult(name(), params, metrics);
    }

    /**
     * In one opened session: {@code cat} of every blob file of the store clone to /dev/null, then the verifier's
     * full check (read, gunzip, SHA-256 on its read-ahead threads) of the same files.
     */
    private static void throughput(BenchContext ctx, Path cfg, String tag, List<BenchResult.Metric> metrics) throws Exception {
        try (AgentContext agent = new AgentContext(ConfigLoader.load(cfg));
             OpenedSnapshot o = new RestoreService(agent).open(tag);
             Connection c = o.connect()) {
            // Where the sandbox's start went (InnoDB recovery, plugins), by its own log's timestamps.
            ctx.log().printf("verify: sandbox mariadbd log of the opened set:%n%s%n", Files.readString(o.dir().resolve("mariadbd.err")));
            List<Path> files;
            Path storeClone = o.dir().resolve("store");
            try (Stream<Path> s = Files.walk(storeClone)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".msg")).toList();
            }
            long bytes = 0;
            for (Path f : files) {
                bytes += Files.size(f);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < files.size(); i += 500) {
                List<String> cmd = new ArrayList<>(List.of("cat"));
                files.subList(i, Math.min(files.size(), i + 500)).forEach(f -> cmd.add(f.toString()));
                Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("cat exited " + p.exitValue());
                }
            }
            double catSecs = (System.nanoTime() - t0) / 1e9;
            // An incremental check is mostly one stat per blob through FUSE: how that scales with threads.
            for (int threads : new int[] {1, 3, 8}) {
                double secs = statAll(files, threads);
                ctx.log().printf("verify: stat of %d blob files on %d threads: %.2f s%n", files.size(), threads, secs);
                metrics.add(new BenchResult.Metric("stat of every blob file, " + threads + " threads", secs, "s", 2));
            }
            VerifyReport r = new SetVerifier(c, BlobLocator.load(c, o::map), VerifyMode.fullCheck(), 1, () -> "")
                    .verify(tag);
            if (!r.ok()) {
                throw new IllegalStateException("the benchmark set has problems: " + r.problems());
            }
            double verifySecs = r.millis() / 1000.0;
            ctx.log().printf("verify: cat %d files %.1f MB in %.2f s; verifier %d digests %.1f MB in %.2f s%n", files.size(),
                    bytes / 1e6, catSecs, r.digestsChecked(), r.bytesRead() / 1e6, verifySecs);
            metrics.add(new BenchResult.Metric("blob files in the store clone", files.size(), "files", 0));
            metrics.add(new BenchResult.Metric("cat of every blob file (batches of 500)", bytes / 1e6 / catSecs, "MB/s", 0));
            metrics.add(new BenchResult.Metric("verifier, full check in process (read + gunzip + SHA-256, 3 threads)",
                    r.bytesRead() / 1e6 / verifySecs, "MB/s", 0));
            metrics.add(new BenchResult.Metric("verifier full check in process: time", verifySecs, "s", 2));
            metrics.add(new BenchResult.Metric("cat of every blob file: time", catSecs, "s", 2));
        }
    }

    private static double statAll(List<Path> files, int threads) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            long t0 = System.nanoTime();
            List<java.util.concurrent.Future<Long>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    long sum = 0;
                    for (int i = first; i < files.size(); i += threads) {
                        sum += Files.readAttributes(files.get(i), java.nio.file.attribute.BasicFileAttributes.class).size();
                    }
                    return sum;
                }));
            }
            for (var f : parts) {
                f.get();
            }
            return (System.nanoTime() - t0) / 1e9;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String snapshot(Path cfg) throws InterruptedException {
        Thread.sleep(1100); // tags are per second
        try (AgentContext agent = new AgentContext(ConfigLoader.load(cfg))) {
            return ((CycleOutcome.Taken) agent.snapshotCycle().run("manual")).report().tag().name();
        }
    }

    /**
     * The incremental run's phases, from the debug lines of VerifyCommand, VerifyService, SnapshotOpener and
     * OpenedSnapshot (ZMSNAP_LOG_LEVEL=DEBUG): JVM start to the command, the set chosen, each clone, the sandbox
     * start, the checks, each teardown step, the result recorded; what is left of the wall time is the JVM's exit.
     */
    static void phases(String stderr, double wall, List<BenchResult.Metric> metrics) {
        Map<String, Pattern> phases = new LinkedHashMap<>();
        phases.put("JVM start to the verify command", Pattern.compile("verify command reached (\\d+) ms"));
        phases.put("set chosen (zfs list, guard, previous verified set)", Pattern.compile("set chosen .*: (\\d+) ms"));
        phases.put("4 clones", Pattern.compile("opened \\(clones (\\d+) ms"));
        phases.put("sandbox start until it accepts connections", Pattern.compile("sandbox start (\\d+) ms\\)"));
        phases.put("checks", Pattern.compile(": checks (\\d+) ms"));
        phases.put("sandbox stop", Pattern.compile("sandbox mariadbd stopped (\\d+) ms"));
        phases.put("teardown (sandbox stop, 4 destroys)", Pattern.compile("closed \\(sandbox stopped, clones destroyed\\) (\\d+) ms"));
        phases.put("result recorded (zfs set)", Pattern.compile("result recorded (\\d+) ms"));
        phases.put("whole verify (command to result)", Pattern.compile("whole verify (\\d+) ms"));
        double known = 0;
        for (var e : phases.entrySet()) {
            Matcher m = e.getValue().matcher(stderr);
            if (m.find()) {
                double secs = Long.parseLong(m.group(1)) / 1000.0;
                metrics.add(new BenchResult.Metric("incremental phase: " + e.getKey(), secs, "s", 2));
                if (e.getKey().startsWith("JVM") || e.getKey().startsWith("whole")) {
                    known += secs;
                }
            }
        }
        metrics.add(new BenchResult.Metric("incremental phase: rest (JVM exit, config, process start seen from outside)",
                wall - known, "s", 2));
    }

    private static JsonNode zmsnap(Path zmsnap, String... args) throws Exception {
        return JSON.readTree(run(zmsnap, args).stdout());
    }

    /** bin/zmsnap with its debug lines on (they carry the phases' times). */
    private static Proc.Result run(Path zmsnap, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(zmsnap.toString());
        cmd.addAll(List.of(args));
        Proc.Result r = Proc.run(COMMAND_TIMEOUT, cmd, Map.of("ZMSNAP_LOG_LEVEL", "DEBUG"), null);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + r.exitCode() + ":\n" + r.stdout() + r.stderr());
        }
        return r;
    }
}
