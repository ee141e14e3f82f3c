package org.zmsnap.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.zmsnap.exec.ShellQuote;
import org.zmsnap.fixtures.OpenZfsVm;
import org.zmsnap.fixtures.Proc;

/**
 * Runs another benchmark <em>inside</em> the OpenZFS guest ({@link OpenZfsVm}: Debian 12, kernel OpenZFS 2.1,
 * MariaDB, a JRE): {@code scripts/bench guest quiesce --sizes 1 ...}. The benchmark's jar and its lib directory are
 * copied into the guest and run there with the guest's java, so everything it times (the lock hold above all) runs
 * where a real host runs it: no SSH round trip, no QEMU network hop inside a window. Its pool and mariadbd live in
 * the guest (file vdevs on the guest's scratch disk). Its JSON result is copied back as
 * {@code bench-results/NAME-openzfs-guest.json}; its markdown rows go to stdout as usual.
 *
 * <p>Under TCG (no hardware virtualization) the guest's JVM runs with C2 alone ({@code -XX:-TieredCompilation}),
 * as {@code PackageOpenZfsIT} does: C1-compiled code crashed there (see docs/testing.md).
 */
public final class GuestBenchmark implements Benchmark {
    private static final String DIR = "/srv/zmsnap/bench";

    @Override
    public String name() {
        return "guest";
    }

    @Override
    public String description() {
        return "runs another benchmark inside the OpenZFS 2.x guest (OpenZfsVm), e.g. 'guest quiesce --sizes 1'"
                + " [--guest-heap 384m]; result in bench-results/NAME-openzfs-guest.json";
    }

    @Override
    public BenchResult run(BenchContext ctx) throws Exception {
        List<String> args = new ArrayList<>(ctx.args());
        if (args.isEmpty() || args.get(0).startsWith("--")) {
            throw new IllegalArgumentException("usage: scripts/bench guest NAME [--key value ...]");
        }
        String inner = args.get(0);
        String heap = "384m";
        int h = args.indexOf("--guest-heap");
        if (h > 0) {
            heap = args.get(h + 1);
            args.remove(h + 1);
            args.remove(h);
        }
        Path target = ctx.projectRoot().resolve("bench/target");
        if (!Files.isRegularFile(target.resolve("zmsnap-bench.jar")) || !Files.isDirectory(target.resolve("lib"))) {
            throw new IllegalStateException("build first: bench/target/zmsnap-bench.jar and bench/target/lib are missing");
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("inner", String.join(" ", args));
        List<BenchResult.Metric> metrics = new ArrayList<>();
        try (OpenZfsVm vm = OpenZfsVm.boot()) {
            params.put("accel", vm.kvm() ? "KVM" : "TCG");
            params.put("guestZfs", vm.zfsVersion());
            String cores = vm.run(Duration.ofSeconds(30), "nproc").orThrow().stdout().strip();
            String mem = vm.bash(Duration.ofSeconds(30), "awk '/MemTotal/ {print $2}' /proc/meminfo").orThrow().stdout().strip();
            String kernel = vm.run(Duration.ofSeconds(30), "uname", "-r").orThrow().stdout().strip();
            String java = vm.bash(Duration.ofSeconds(60), "java -version 2>&1 | head -1").stdout().strip();
            params.put("guestCores", cores);
            params.put("guestMemoryKiB", mem);
            params.put("guestKernel", kernel);
            params.put("guestJava", java);
            ctx.log().printf("guest: %s, %s vCPUs, %s KiB, kernel %s, %s, %s; booted in %.1f s%n", vm.kvm() ? "KVM" : "TCG",
                    cores, mem, kernel, vm.zfsVersion(), java, vm.bootTime().toMillis() / 1000.0);
            metrics.add(new BenchResult.Metric("guest boot to SSH", vm.bootTime().toMillis() / 1000.0, "s", 1));

            long t0 = System.nanoTime();
            vm.run(Duration.ofSeconds(30), "mkdir", "-p", "/srv/zmsnap/tmp").orThrow();
            vm.copyIn(target, List.of("zmsnap-bench.jar", "lib"), DIR, Duration.ofMinutes(5));
            ctx.log().printf("guest: bench jar and lib copied in %.1f s%n", (System.nanoTime() - t0) / 1e9);

            List<String> cmd = new ArrayList<>(List.of("cd", DIR, "&&", "exec", "java", "-Xmx" + heap));
            if (!vm.kvm()) {
                cmd.add("-XX:-TieredCompilation");
            }
            cmd.addAll(List.of("-Djava.io.tmpdir=/srv/zmsnap/tmp", "-Dzmsnap.project.root=" + DIR,
                    "-cp", "'zmsnap-bench.jar:lib/*'", "org.zmsnap.bench.Main"));
            for (String a : args) {
                cmd.add(ShellQuote.quote(a));
            }
            long s = System.nanoTime();
            int exit = sshInherit(vm, String.join(" ", cmd));
            metrics.add(new BenchResult.Metric("inner benchmark run", (System.nanoTime() - s) / 1e9, "s", 0));
            if (exit != 0) {
                throw new IllegalStateException("'" + inner + "' in the guest exited " + exit);
            }
            Proc.Result json = vm.run(Duration.ofSeconds(60), "cat", DIR + "/bench-results/" + inner + ".json").orThrow();
            Path out = ctx.projectRoot().resolve("bench-results").resolve(inner + "-openzfs-guest.json");
            Files.createDirectories(out.getParent());
            Files.writeString(out, json.stdout());
            ctx.log().println("guest: wrote " + out);
        }
        return new BenchResult("guest", params, metrics);
    }

    /** Runs a shell line in the guest with this process's stdout and stderr (the benchmark's progress as it goes). */
    private static int sshInherit(OpenZfsVm vm, String line) throws IOException, InterruptedException {
        return new ProcessBuilder(vm.sshCommand(line)).inheritIO().redirectInput(ProcessBuilder.Redirect.PIPE).start().waitFor();
    }
}
