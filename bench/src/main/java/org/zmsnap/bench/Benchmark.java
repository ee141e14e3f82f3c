package org.zmsnap.bench;

/** One named benchmark that scripts/bench can run. */
public interface Benchmark {
    /** The name on the command line and of the result file, e.g. "generator". */
    String name();

    /** One line for the usage text. */
    String description();

    /** Runs once, cleaning up everything it created, and returns what it measured. */
    BenchResult run(BenchContext ctx) throws Exception;
}
