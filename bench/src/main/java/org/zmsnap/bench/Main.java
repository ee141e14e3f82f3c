package org.zmsnap.bench;

import java.nio.file.Path;
import java.util.List;

/** {@code Main NAME [--key value ...]}: runs one benchmark, writes bench-results/NAME.json, prints markdown. */
public final class Main {
    private Main() {}

    static List<Benchmark> benchmarks() {
        return List.of(new GeneratorBenchmark(), new QuiesceBenchmark(), new FootprintBenchmark(), new ReplicateBenchmark(), new PromoteBenchmark(), new FailbackBenchmark(),
                new BusyBenchmark(),
                new RestoreBenchmark(), new VerifyBenchmark(), new SearchBenchmark(), new GuestBenchmark());
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    static int run(String[] args) throws Exception {
        List<Benchmark> all = benchmarks();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            usage(all);
            return args.length == 0 ? 2 : 0;
        }
        Benchmark b = all.stream().filter(x -> x.name().equals(args[0])).findFirst().orElse(null);
        if (b == null) {
            System.err.println("unknown benchmark '" + args[0] + "'");
            usage(all);
            return 2;
        }
        Path root = Path.of(System.getProperty("zmsnap.project.root", ".")).toAbsolutePath().normalize();
        BenchContext ctx = new BenchContext(List.of(args).subList(1, args.length), root, System.err);
        Machine machine = Machine.detect();
        BenchResult result = b.run(ctx);
        Path file = ResultReport.writeJson(root.resolve("bench-results"), result, machine);
        System.out.println(ResultReport.markdown(result, machine));
        System.err.println("wrote " + file);
        return 0;
    }

    private static void usage(List<Benchmark> all) {
        System.err.println("usage: scripts/bench NAME [--key value ...]\nbenchmarks:");
        for (Benchmark b : all) {
            System.err.printf("  %-12s %s%n", b.name(), b.description());
        }
    }
}
