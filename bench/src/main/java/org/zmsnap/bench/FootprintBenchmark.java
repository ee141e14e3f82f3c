package org.zmsnap.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.FreePort;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;

/**
 * The resident cost of zmsnapd: the real launcher (bin/zmsnapd) with the unit's heap settings on a
 * SnapshotHost, a one-minute policy and metrics on; startup to /healthz and to READY=1, then RSS and CPU
 * sampled from /proc while it idles between cycles; SIGTERM at the end.
 */
public final class FootprintBenchmark implements Benchmark {
    static final String UNIT_JAVA_OPTS = "-Xms32m -Xmx96m -XX:+UseSerialGC -XX:MaxMetaspaceSize=64m -Xss512k";

    @Override
    public String name() {
        return "footprint";
    }

    @Override
    public String description() {
        return "zmsnapd RSS, idle CPU, startup and stop: --minutes 10 [--sample-seconds 5] [--java-opts \"...\"]";
    }

    @Override
    public BenchResult run(BenchContext ctx) throws Exception {
        double minutes = ctx.doubleArg("--minutes", 10);
        int sampleSeconds = ctx.intArg("--sample-seconds", 5);
        String javaOpts = ctx.arg("--java-opts") == null ? UNIT_JAVA_OPTS : ctx.arg("--java-opts");
        long clkTck = Long.parseLong(Proc.run(Duration.ofSeconds(10), "getconf", "CLK_TCK").orThrow().stdout().trim());
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("minutes", minutes);
        params.put("sampleSeconds", sampleSeconds);
        params.put("ZMSNAPD_JAVA_OPTS", javaOpts);
        params.put("policy", "minute: 0 * * * * ?, keep 5; metrics on; quiesce ftwrl");
        Path launcher = ctx.projectRoot().resolve("bin/zmsnapd");

        try (SnapshotHost host = new SnapshotHost()) {
            int port = FreePort.find();
            String yaml = host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                    + "metrics:\n  listen: 127.0.0.1:" + port + "\n"
                    + "policies:\n  minute: { schedule: \"0 * * * * ?\", keep: 5 }\n";
            Path cfgFile = host.writeConfig(yaml);
            Path log = host.dir.resolve("zmsnapd.log");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                    .timeout(Duration.ofSeconds(2)).build();
            try (NotifyListener notify = new NotifyListener(host.dir.resolve("notify.sock"))) {
                ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--config", cfgFile.toString())
                        .redirectErrorStream(true).redirectOutput(log.toFile());
                pb.environment().put("ZMSNAPD_JAVA_OPTS", javaOpts);
                pb.environment().put("NOTIFY_SOCKET", notify.path().toString());
                long t0 = System.nanoTime();
                Process p = pb.start();
                try {
                    long healthAt = -1;
                    long healthOkAt = -1;
                    long readyAt = -1;
                    long deadline = t0 + 60_000_000_000L;
                    while ((healthOkAt < 0 || readyAt < 0) && System.nanoTime() < deadline && p.isAlive()) {
                        if (readyAt < 0 && notify.has("READY=1")) {
                            readyAt = System.nanoTime();
                        }
                        if (healthOkAt < 0) {
                            try {
                                HttpResponse<Void> r = http.send(health, HttpResponse.BodyHandlers.discarding());
                                long now = System.nanoTime();
                                if (healthAt < 0) {
                                    healthAt = now;
                                }
                                if (r.statusCode() == 200) {
                                    healthOkAt = now;
                                }
                            } catch (java.io.IOException e) {
                                // not listening yet
                            }
                        }
                        Thread.sleep(10);
                    }
                    if (!p.isAlive() || healthAt < 0) {
                        throw new IllegalStateException("zmsnapd did not come up:\n" + Files.readString(log));
                    }
                    long pid = p.pid();
                    double readyMs = readyAt < 0 ? Double.NaN : (readyAt - t0) / 1e6;
                    double healthMs = (healthAt - t0) / 1e6;
                    double healthOkMs = healthOkAt < 0 ? Double.NaN : (healthOkAt - t0) / 1e6;
                    ctx.log().printf("footprint: pid %d, READY=1 after %.0f ms, /healthz answered after %.0f ms (200 after %.0f ms)%n",
                            pid, readyMs, healthMs, healthOkMs);
                    long startTicks = cpuTicks(pid);
                    double startRss = rssMb(pid);
                    long sampleStart = System.nanoTime();
                    long end = sampleStart + (long) (minutes * 60e9);
                    List<Double> rss = new ArrayList<>();
                    List<Double> cpu = new ArrayList<>();
                    long lastTicks = startTicks;
                    long lastT = sampleStart;
                    while (System.nanoTime() < end && p.isAlive()) {
                        Thread.sleep(sampleSeconds * 1000L);
                        long t = System.nanoTime();
                        long ticks = cpuTicks(pid);
                        double r = rssMb(pid);
                        double c = 100.0 * (ticks - lastTicks) / clkTck / ((t - lastT) / 1e9);
                        rss.add(r);
                        cpu.add(c);
                        lastTicks = ticks;
                        lastT = t;
                        ctx.log().printf("footprint: t=%4.0f s RSS %.1f MB CPU %.2f %%%n", (t - sampleStart) / 1e9, r, c);
                    }
                    if (!p.isAlive()) {
                        throw new IllegalStateException("zmsnapd died:\n" + Files.readString(log));
                    }
                    double avgCpu = 100.0 * (lastTicks - startTicks) / clkTck / ((lastT - sampleStart) / 1e9);
                    int sets;
                    Config cfg = ConfigLoader.parse(yaml, cfgFile);
                    try (AgentContext actx = new AgentContext(cfg)) {
                        sets = (int) actx.catalog().sets().stream().filter(s -> s.tag().policy().equals("minute")).count();
                    }
                    long s0 = System.nanoTime();
                    p.destroy(); // SIGTERM
                    boolean exited = p.waitFor(60, TimeUnit.SECONDS);
                    double stopMs = (System.nanoTime() - s0) / 1e6;
                    int taken = (int) Files.readAllLines(log).stream().filter(l -> l.contains(" taken: ")).count();
                    ctx.log().printf("footprint: %d cycles logged, %d minute sets kept; stop %.0f ms (exit %s)%n", taken,
                            sets, stopMs, exited ? String.valueOf(p.exitValue()) : "none");
                    Stats rs = new Stats(rss);
                    Stats cs = new Stats(cpu);
                    return new BenchResult(name(), params, List.of(
                            new BenchResult.Metric("startup to READY=1", readyMs, "ms", 0),
                            new BenchResult.Metric("startup to /healthz answering", healthMs, "ms", 0),
                            new BenchResult.Metric("startup to /healthz 200", healthOkMs, "ms", 0),
                            new BenchResult.Metric("RSS at ready", startRss, "MB", 1),
                            new BenchResult.Metric("RSS max", rs.max(), "MB", 1),
                            new BenchResult.Metric("RSS median", rs.median(), "MB", 1),
                            new BenchResult.Metric("CPU average (idle, cycles included)", avgCpu, "% of one core", 2),
                            new BenchResult.Metric("CPU max " + sampleSeconds + " s sample", cs.max(), "% of one core", 1),
                            new BenchResult.Metric("CPU median " + sampleSeconds + " s sample", cs.median(), "% of one core", 2),
                            new BenchResult.Metric("snapshot cycles during sampling", taken, "cycles", 0),
                            new BenchResult.Metric("samples", rss.size(), "samples", 0),
                            new BenchResult.Metric("SIGTERM to exit", exited ? stopMs : Double.NaN, "ms", 0)));
                } finally {
                    if (p.isAlive()) {
                        p.descendants().forEach(ProcessHandle::destroyForcibly);
                        p.destroyForcibly();
                        p.waitFor(10, TimeUnit.SECONDS);
                    }
                }
            }
        }
    }

    /** utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15). */
    static long cpuTicks(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state), so field n is f[n - 3]
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** VmRSS from /proc/PID/status, in MB (10^6 bytes). */
    static double rssMb(long pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024 / 1e6;
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }
}
