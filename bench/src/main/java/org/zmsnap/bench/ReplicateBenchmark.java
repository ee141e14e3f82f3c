package org.zmsnap.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.zmsnap.AgentContext;
import org.zmsnap.config.Config;
import org.zmsnap.config.ConfigLoader;
import org.zmsnap.fixtures.Proc;
import org.zmsnap.fixtures.SnapshotHost;
import org.zmsnap.fixtures.SshHost;
import org.zmsnap.fixtures.Tools;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.replication.ReplicationOutcome;
import org.zmsnap.replication.ReplicationRunner;
import org.zmsnap.snapshot.CycleOutcome;
import org.zmsnap.snapshot.SetReport;
import org.zmsnap.snapshot.SnapshotCycle;

/**
 * Incremental replication throughput over SSH on loopback: zmsnap versus a plain 'zfs send -i | ssh zfs receive'
 * pipe and syncoid, each receiving the same increment into its own DR root seeded with the same first set; the same
 * increment pulled by a DR host's config (pull mode); plus no-change push and pull runs and a run under a bandwidth cap.
 */
public final class ReplicateBenchmark implements Benchmark {
    private static final Duration LONG = Duration.ofMinutes(30);

    @Override
    public String name() {
        return "replicate";
    }

    @Override
    public String description() {
        return "incremental replication over loopback SSH: zmsnap vs zfs send|ssh vs syncoid: --gb 2 [--capped-mb 500]"
                + " [--bandwidth 50MiB/s] [--pipe-first true]";
    }

    private Instant clock = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public BenchResult run(BenchContext ctx) throws Exception {
        double gb = ctx.doubleArg("--gb", 2);
        int cappedMb = ctx.intArg("--capped-mb", 500);
        String bandwidth = ctx.arg("--bandwidth") == null ? "50MiB/s" : ctx.arg("--bandwidth");
        boolean pipeFirst = "true".equals(ctx.arg("--pipe-first"));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("incrementGB", gb);
        params.put("cappedIncrementMB", cappedMb);
        params.put("bandwidth", bandwidth);
        params.put("order", pipeFirst ? "ssh pipe, then zmsnap" : "zmsnap, then ssh pipe");
        params.put("ssh", "OpenSSH sshd on 127.0.0.1, ed25519 key, default ciphers; both pools zfs-fuse on one host");
        List<BenchResult.Metric> metrics = new ArrayList<>();
        long incBytes = (long) (gb * 1e9);
        String srcSize = (int) Math.ceil(gb + 4) + "G";
        String drSize = (int) Math.ceil(3 * gb + cappedMb / 1000.0 + 6) + "G";

        try (SnapshotHost host = new SnapshotHost(srcSize);
             ZfsPool dr = ZfsPool.createEmpty("zdr", drSize);
             SshHost ssh = SshHost.start(host.dir)) {
            ssh.authorize(""); // no forced command: plain zfs over ssh, as syncoid and the pipe need
            Path store = host.pool.mountpoint(host.pool.dataset("store"));
            String zmRoot = dr.name() + "/zm";
            String pipeRoot = dr.name() + "/pipe";
            String syncoidRoot = dr.name() + "/syncoid";
            String pipeAesRoot = dr.name() + "/pipe-aes";
            String syncoidRawRoot = dr.name() + "/syncoid-nocompress";
            String pullRoot = dr.name() + "/pull";
            Path cfgFile = host.writeConfig(config(host, ssh, zmRoot, ""));
            Config cfg = ConfigLoader.load(cfgFile);

            // Seed: a first set, replicated fully by zmsnap; the other roots get the same snapshot locally.
            Filler.write(store.resolve("seed"), 50_000_000L, 64L << 20, 1);
            String a = takeSet(cfg).name();
            ReplicationOutcome seed = replicate(cfg);
            ctx.log().println("replicate: seed " + a + ": " + summary(seed));
            // Pull: the DR host's own config, the same engine with the endpoints swapped, seeded by its own first pull.
            Config drCfg = ConfigLoader.parse(drConfig(host, ssh, pullRoot), host.dir.resolve("dr.yaml"));
            ctx.log().println("replicate: pull seed: " + summary(pull(drCfg)));
            for (String root : List.of(pipeRoot, pipeAesRoot, syncoidRoot, syncoidRawRoot)) {
                dr.zfs("create", "-p", root + "/zimbra");
                for (String ds : host.pool.zimbraDatasets()) {
                    localPipe(List.of("zfs", "send", ds + "@" + a), List.of("zfs", "receive", "-u", target(root, ds, host)));
                }
            }

            // The increment: incompressible data in the store, then a second set.
            long t0 = System.nanoTime();
            Filler.write(store.resolve("increment"), incBytes, 256L << 20, 2);
            String b = takeSet(cfg).name();
            ctx.log().printf("replicate: %.1f GB written and set %s taken in %.1f s%n", gb, b, (System.nanoTime() - t0) / 1e9);

            double[] zResult = new double[2];
            // (a) zmsnap over SSH
            Runnable runZmsnap = () -> {
                long t = System.nanoTime();
                ReplicationOutcome zo = replicate(cfg);
                double secs = (System.nanoTime() - t) / 1e9;
                if (!(zo instanceof ReplicationOutcome.Replicated zr)) {
                    throw new IllegalStateException("zmsnap replication failed: " + zo);
                }
                ctx.log().printf("replicate: zmsnap %d bytes in %.1f s (%s)%n", zr.bytes(), secs, zr.steps());
                zResult[0] = zr.bytes();
                zResult[1] = secs;
            };
            if (!pipeFirst) {
                runZmsnap.run();
            }
            // (b) zfs send -i | ssh zfs receive, the OpenSSH client, one dataset after another
            long pipeBytes = 0;
            long s = System.nanoTime();
            for (String ds : host.pool.zimbraDatasets()) {
                pipeBytes += pipe(List.of("zfs", "send", "-i", ds + "@" + a, ds + "@" + b),
                        ssh.sshCommand("zfs", "receive", "-u", target(pipeRoot, ds, host)));
            }
            double pSecs = (System.nanoTime() - s) / 1e9;
            ctx.log().printf("replicate: ssh pipe %d bytes in %.1f s%n", pipeBytes, pSecs);
            if (pipeFirst) {
                runZmsnap.run();
            }
            double zSecs = zResult[1];
            long zBytes = (long) zResult[0];
            // (a') the same increment pulled by the DR host (after push and pipe, so the page cache favours neither)
            s = System.nanoTime();
            ReplicationOutcome po = pull(drCfg);
            double plSecs = (System.nanoTime() - s) / 1e9;
            if (!(po instanceof ReplicationOutcome.Replicated pr)) {
                throw new IllegalStateException("zmsnap pull failed: " + po);
            }
            ctx.log().printf("replicate: zmsnap pull %d bytes in %.1f s (%s)%n", pr.bytes(), plSecs, pr.steps());

            double zRate = zBytes / 1e6 / zSecs;
            double pRate = pipeBytes / 1e6 / pSecs;
            metrics.add(new BenchResult.Metric("increment (zfs send stream, 4 datasets)", pipeBytes / 1e6, "MB", 0));
            metrics.add(new BenchResult.Metric("zmsnap over SSH: time", zSecs, "s", 1));
            metrics.add(new BenchResult.Metric("zmsnap over SSH: rate", zRate, "MB/s", 1));
            metrics.add(new BenchResult.Metric("zfs send -i | ssh | zfs receive: time", pSecs, "s", 1));
            metrics.add(new BenchResult.Metric("zfs send -i | ssh | zfs receive: rate", pRate, "MB/s", 1));
            metrics.add(new BenchResult.Metric("zmsnap as % of the OpenSSH pipe", 100 * zRate / pRate, "%", 0));
            metrics.add(new BenchResult.Metric("zmsnap pull over SSH: time", plSecs, "s", 1));
            metrics.add(new BenchResult.Metric("zmsnap pull over SSH: rate", pr.bytes() / 1e6 / plSecs, "MB/s", 1));
            metrics.add(new BenchResult.Metric("zmsnap pull as % of the OpenSSH pipe", 100 * (pr.bytes() / 1e6 / plSecs) / pRate, "%", 0));

            // (b') the same pipe with AES-GCM, which is what JSch (zmsnap's SSH) and hardware AES favour;
            // OpenSSH's own first choice is chacha20-poly1305.
            long aesBytes = 0;
            s = System.nanoTime();
            for (String ds : host.pool.zimbraDatasets()) {
                List<String> sshCmd = new ArrayList<>(ssh.sshCommand("zfs", "receive", "-u", target(pipeAesRoot, ds, host)));
                sshCmd.addAll(1, List.of("-c", "aes128-gcm@openssh.com"));
                aesBytes += pipe(List.of("zfs", "send", "-i", ds + "@" + a, ds + "@" + b), sshCmd);
            }
            double aSecs = (System.nanoTime() - s) / 1e9;
            ctx.log().printf("replicate: ssh pipe (aes128-gcm) %d bytes in %.1f s%n", aesBytes, aSecs);
            metrics.add(new BenchResult.Metric("same pipe, ssh -c aes128-gcm@openssh.com: time", aSecs, "s", 1));
            metrics.add(new BenchResult.Metric("same pipe, ssh -c aes128-gcm@openssh.com: rate", aesBytes / 1e6 / aSecs, "MB/s", 1));
            metrics.add(new BenchResult.Metric("zmsnap as % of the aes128-gcm pipe", 100 * zRate / (aesBytes / 1e6 / aSecs), "%", 0));

            // (c) syncoid
            metrics.addAll(syncoid(ctx, host, ssh, syncoidRoot, pipeBytes, "default (lzo over ssh)", List.of()));
            metrics.addAll(syncoid(ctx, host, ssh, syncoidRawRoot, pipeBytes, "--compress=none", List.of("--compress=none")));

            // No-change run: everything is on the target already.
            s = System.nanoTime();
            ReplicationOutcome noop = replicate(cfg);
            double noopSecs = (System.nanoTime() - s) / 1e9;
            ctx.log().println("replicate: no-change run " + summary(noop));
            metrics.add(new BenchResult.Metric("zmsnap no-change run (4 datasets)", noopSecs * 1000, "ms", 0));
            s = System.nanoTime();
            ReplicationOutcome noPull = pull(drCfg);
            double noPullSecs = (System.nanoTime() - s) / 1e9;
            ctx.log().println("replicate: no-change pull " + summary(noPull));
            metrics.add(new BenchResult.Metric("zmsnap no-change pull (4 datasets)", noPullSecs * 1000, "ms", 0));

            // Small increments, the everyday case (issue 11: "a 4-dataset set in <= 1 s end to end over SSH"): a few
            // KiB in every dataset, a set, then zmsnap (context open included) and the plain pipe of the same four
            // increments, alternating which goes first.
            // Rounds alternate parallel-streams 4 (the default) and 1 (one dataset after another).
            int rounds = ctx.intArg("--small-rounds", 8);
            Config sequential = ConfigLoader.parse(config(host, ssh, zmRoot, "    parallel-streams: 1\n"), cfgFile);
            String pipePrev = b;
            List<Double> smallZ = new ArrayList<>();
            List<Double> smallSeq = new ArrayList<>();
            List<Double> smallP = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                for (String ds : host.pool.zimbraDatasets()) {
                    Filler.write(host.pool.mountpoint(ds).resolve("small-" + i), 64 * 1024, 64 * 1024, 10 + i);
                }
                String c = takeSet(cfg).name();
                String prev = pipePrev;
                Runnable smallPipe = () -> {
                    long t = System.nanoTime();
                    for (String ds : host.pool.zimbraDatasets()) {
                        try {
                            pipe(List.of("zfs", "send", "-i", ds + "@" + prev, ds + "@" + c),
                                    ssh.sshCommand("zfs", "receive", "-u", target(pipeRoot, ds, host)));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    smallP.add((System.nanoTime() - t) / 1e9);
                };
                boolean parallel = i % 4 < 2;
                Runnable smallZmsnap = () -> {
                    long t = System.nanoTime();
                    ReplicationOutcome o = replicate(parallel ? cfg : sequential);
                    (parallel ? smallZ : smallSeq).add((System.nanoTime() - t) / 1e9);
                    ctx.log().println("replicate: small round (" + (parallel ? "4 streams" : "1 stream") + ") " + summary(o));
                };
                if (i % 2 == 0) {
                    smallZmsnap.run();
                    smallPipe.run();
                } else {
                    smallPipe.run();
                    smallZmsnap.run();
                }
                pipePrev = c;
            }
            double zMed = new Stats(smallZ).median();
            double sMed = new Stats(smallSeq).median();
            double pMed = new Stats(smallP).median();
            ctx.log().printf("replicate: small increments zmsnap %s s, one stream %s s, pipe %s s%n", smallZ, smallSeq, smallP);
            metrics.add(new BenchResult.Metric("small increments (64 KiB x 4 datasets): zmsnap median", zMed * 1000, "ms", 0));
            metrics.add(new BenchResult.Metric("small increments: zmsnap parallel-streams 1, median", sMed * 1000, "ms", 0));
            metrics.add(new BenchResult.Metric("small increments: zfs send -i | ssh | zfs receive x 4, median", pMed * 1000, "ms", 0));
            metrics.add(new BenchResult.Metric("small increments: zmsnap / pipe", 100 * zMed / pMed, "%", 0));

            // The same small increments as a DR host really takes them: behind the forced command 'zmsnap serve', where
            // every remote call starts a serve process. No pipe baseline here (the key runs only serve): 4 streams
            // against 1, alternating.
            ssh.authorize("command=\"" + ctx.projectRoot().resolve("bin/zmsnap") + " serve --root " + zmRoot + "\",restrict");
            List<Double> servePar = new ArrayList<>();
            List<Double> serveSeq = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                for (String ds : host.pool.zimbraDatasets()) {
                    Filler.write(host.pool.mountpoint(ds).resolve("served-" + i), 64 * 1024, 64 * 1024, 100 + i);
                }
                takeSet(cfg);
                boolean parallel = i % 4 < 2;
                long t = System.nanoTime();
                ReplicationOutcome o = replicate(parallel ? cfg : sequential);
                (parallel ? servePar : serveSeq).add((System.nanoTime() - t) / 1e9);
                ctx.log().println("replicate: served small round (" + (parallel ? "4 streams" : "1 stream") + ") " + summary(o));
            }
            // A large increment through serve: there every byte passes through the serve session's JVM, in frames,
            // where a plain login hands the channel to zfs receive. Against zmsnap's own rate over a plain login above.
            Filler.write(store.resolve("served-large"), incBytes, 256L << 20, 4);
            takeSet(cfg);
            long ls = System.nanoTime();
            ReplicationOutcome lo = replicate(cfg);
            double lSecs = (System.nanoTime() - ls) / 1e9;
            if (!(lo instanceof ReplicationOutcome.Replicated lr)) {
                throw new IllegalStateException("replication through serve failed: " + lo);
            }
            ssh.authorize("");
            double lRate = lr.bytes() / 1e6 / lSecs;
            ctx.log().printf("replicate: through zmsnap serve %d bytes in %.1f s%n", lr.bytes(), lSecs);
            metrics.add(new BenchResult.Metric("large increment through zmsnap serve: rate", lRate, "MB/s", 1));
            metrics.add(new BenchResult.Metric("large increment through zmsnap serve as % of zmsnap over a plain login",
                    100 * lRate / (zBytes / 1e6 / zSecs), "%", 0));
            ctx.log().printf("replicate: through zmsnap serve, 4 streams %s s, 1 stream %s s%n", servePar, serveSeq);
            double spMed = new Stats(servePar).median();
            double ssMed = new Stats(serveSeq).median();
            metrics.add(new BenchResult.Metric("small increments through zmsnap serve: 4 streams, median", spMed * 1000, "ms", 0));
            metrics.add(new BenchResult.Metric("small increments through zmsnap serve: 1 stream, median", ssMed * 1000, "ms", 0));
            metrics.add(new BenchResult.Metric("through zmsnap serve: 4 streams / 1 stream", 100 * spMed / ssMed, "%", 0));

            // Bandwidth cap on a smaller increment.
            Filler.write(store.resolve("capped"), cappedMb * 1_000_000L, 128L << 20, 3);
            takeSet(cfg);
            Config capped = ConfigLoader.parse(config(host, ssh, zmRoot, "    bandwidth: " + bandwidth + "\n"), cfgFile);
            s = System.nanoTime();
            ReplicationOutcome co = replicate(capped);
            double cSecs = (System.nanoTime() - s) / 1e9;
            if (!(co instanceof ReplicationOutcome.Replicated cr)) {
                throw new IllegalStateException("capped replication failed: " + co);
            }
            double capMBs = org.zmsnap.config.Sizes.parse(bandwidth.replaceAll("/s$", "")) / 1e6;
            double cRate = cr.bytes() / 1e6 / cSecs;
            ctx.log().printf("replicate: capped %d bytes in %.1f s = %.1f MB/s (cap %.1f MB/s)%n", cr.bytes(), cSecs, cRate, capMBs);
            metrics.add(new BenchResult.Metric("capped run: bytes", cr.bytes() / 1e6, "MB", 0));
            metrics.add(new BenchResult.Metric("capped run: cap " + bandwidth, capMBs, "MB/s", 1));
            metrics.add(new BenchResult.Metric("capped run: rate (whole run)", cRate, "MB/s", 1));
            metrics.add(new BenchResult.Metric("capped run: rate (transfer only)", cr.bytes() / 1e6 / (cr.nanos() / 1e9), "MB/s", 1));
            metrics.add(new BenchResult.Metric("capped run: deviation from cap", 100 * (cRate - capMBs) / capMBs, "%", 1));
            return new BenchResult(name(), params, metrics);
        }
    }

    private List<BenchResult.Metric> syncoid(BenchContext ctx, SnapshotHost host, SshHost ssh, String root, long bytes,
                                             String label, List<String> extra) throws Exception {
        var tool = Tools.find("syncoid");
        if (tool.isEmpty()) {
            ctx.log().println("replicate: syncoid not installed (apt-get install sanoid): not run");
            return List.of();
        }
        long s = System.nanoTime();
        for (String ds : host.pool.zimbraDatasets()) {
            List<String> cmd = new ArrayList<>(List.of(tool.get().toString(), "--debug", "--no-sync-snap", "--no-privilege-elevation",
                    "--sshkey=" + ssh.clientKey(), "--sshport=" + ssh.port(),
                    "--sshoption=UserKnownHostsFile=" + ssh.knownHosts(), "--sshoption=StrictHostKeyChecking=yes",
                    "--sshoption=GlobalKnownHostsFile=/dev/null",
                    ds, "root@127.0.0.1:" + target(root, ds, host)));
            cmd.addAll(1, extra);
            Proc.Result r = Proc.run(LONG, cmd);
            if (!r.ok()) {
                ctx.log().println("replicate: syncoid failed on " + ds + " (exit " + r.exitCode() + "):\n" + r.stdout() + r.stderr());
                return List.of();
            }
            ctx.log().println("replicate: syncoid " + label + " " + ds + " ok");
        }
        double secs = (System.nanoTime() - s) / 1e9;
        ctx.log().printf("replicate: syncoid %s %.1f s%n", label, secs);
        return List.of(new BenchResult.Metric("syncoid " + label + ": time", secs, "s", 1),
                new BenchResult.Metric("syncoid " + label + ": rate (pipe's stream bytes / time)", bytes / 1e6 / secs, "MB/s", 1));
    }

    private static String target(String root, String sourceDataset, SnapshotHost host) {
        return root + sourceDataset.substring(host.pool.name().length());
    }

    private String config(SnapshotHost host, SshHost ssh, String root, String extra) {
        return host.yaml("ftwrl", "2s", "crash-consistent", "zfs", "")
                + "policies:\n  hourly: { schedule: \"0 0 * * * ?\", keep: 50 }\n"
                + "targets:\n  dr1:\n    type: zfs\n    host: 127.0.0.1\n    port: " + ssh.port() + "\n    user: root\n"
                + "    identity: " + ssh.clientKey() + "\n    known-hosts: " + ssh.knownHosts() + "\n    root: " + root + "\n"
                + "    stall-timeout: 60s\n    command-timeout: 120s\n" + extra;
    }

    /** The DR host's config: the same mailbox host as a pull source, over the same SSH login. */
    private String drConfig(SnapshotHost host, SshHost ssh, String root) {
        return "host: bench-dr\nlock-file: " + host.dir.resolve("dr.lock") + "\n"
                + "sources:\n  mbox1:\n    datasets: [" + String.join(", ", host.pool.zimbraDatasets()) + "]\n    root: " + root + "\n"
                + "    keep: { hourly: 50 }\n    pull:\n      host: 127.0.0.1\n      port: " + ssh.port() + "\n      user: root\n"
                + "      identity: " + ssh.clientKey() + "\n      known-hosts: " + ssh.knownHosts() + "\n"
                + "      stall-timeout: 60s\n      command-timeout: 120s\n";
    }

    private static ReplicationOutcome pull(Config drCfg) {
        try (AgentContext ctx = new AgentContext(drCfg)) {
            return new org.zmsnap.drhost.SourceJobs(drCfg, ctx.zfs()).pull(drCfg.source("mbox1"));
        }
    }

    private org.zmsnap.snapshot.SnapshotTag takeSet(Config cfg) {
        clock = clock.plusSeconds(3600);
        try (AgentContext ctx = new AgentContext(cfg)) {
            CycleOutcome o = new SnapshotCycle(cfg, ctx.zfs(), ctx.quiescer(), Clock.fixed(clock, ZoneOffset.UTC)).run("hourly");
            if (!(o instanceof CycleOutcome.Taken t)) {
                throw new IllegalStateException("snapshot cycle: " + o);
            }
            SetReport r = t.report();
            return r.tag();
        }
    }

    private static ReplicationOutcome replicate(Config cfg) {
        try (AgentContext ctx = new AgentContext(cfg)) {
            return new ReplicationRunner(cfg, ctx.zfs(), ctx.catalog()).run(cfg.targets().get("dr1"), false);
        }
    }

    private static String summary(ReplicationOutcome o) {
        if (o instanceof ReplicationOutcome.Replicated r) {
            return "replicated " + r.bytes() + " bytes in " + r.nanos() / 1_000_000 + " ms, steps " + r.steps();
        }
        throw new IllegalStateException("replication did not succeed: " + o);
    }

    private static void localPipe(List<String> send, List<String> receive) throws Exception {
        pipe(send, receive);
    }

    /** Runs {@code send | receive} with Java pipes (no shell); returns the bytes that went through. */
    static long pipe(List<String> send, List<String> receive) throws Exception {
        Process snd = new ProcessBuilder(send).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Process rcv = new ProcessBuilder(receive).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        AtomicLong n = new AtomicLong();
        try {
            byte[] buf = new byte[1 << 20];
            try (InputStream in = snd.getInputStream(); OutputStream out = rcv.getOutputStream()) {
                int r;
                while ((r = in.read(buf)) > 0) {
                    out.write(buf, 0, r);
                    n.addAndGet(r);
                }
            }
            if (!snd.waitFor(30, TimeUnit.MINUTES) || !rcv.waitFor(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("pipe did not finish: " + send + " | " + receive);
            }
            if (snd.exitValue() != 0 || rcv.exitValue() != 0) {
                throw new IllegalStateException("pipe failed (send " + snd.exitValue() + ", receive " + rcv.exitValue()
                        + "): " + send + " | " + receive);
            }
            return n.get();
        } finally {
            snd.destroyForcibly();
            rcv.destroyForcibly();
        }
    }
}
