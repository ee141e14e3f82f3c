package org.zmsnap.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** What a benchmark gets: its arguments ({@code --key value} pairs), the project root and where to talk. */
public record BenchContext(List<String> args, Path projectRoot, PrintStream log) {

    public BenchContext {
        args = List.copyOf(args);
    }

    public int intArg(String key, int defaultValue) {
        String v = arg(key);
        return v == null ? defaultValue : Integer.parseInt(v);
    }

    public long longArg(String key, long defaultValue) {
        String v = arg(key);
        return v == null ? defaultValue : Long.parseLong(v);
    }

    public double doubleArg(String key, double defaultValue) {
        String v = arg(key);
        return v == null ? defaultValue : Double.parseDouble(v);
    }

    /** The value after {@code key}, or null when the key is absent. */
    public String arg(String key) {
        int i = args.indexOf(key);
        if (i < 0) {
            return null;
        }
        if (i + 1 >= args.size()) {
            throw new IllegalArgumentException(key + " needs a value");
        }
        return args.get(i + 1);
    }
}
