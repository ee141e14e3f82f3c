package org.zmsnap.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.zmsnap.fixtures.MariaDbServer;
import org.zmsnap.fixtures.ZfsPool;
import org.zmsnap.fixtures.zimbra.ConsistencyReport;
import org.zmsnap.fixtures.zimbra.GeneratedMailboxes;
import org.zmsnap.fixtures.zimbra.MailboxConsistencyCheck;
import org.zmsnap.fixtures.zimbra.ZimbraMailboxGenerator;
import org.zmsnap.fixtures.zimbra.ZimbraSchema;

/**
 * How fast the fixtures fill a fresh Zimbra-shaped host (ZFS pool, mariadbd on the db dataset, blobs on the
 * store dataset), and how fast the consistency check reads it back. Tells test authors what data sizes cost.
 */
public final class GeneratorBenchmark implements Benchmark {

    @Override
    public String name() {
        return "generator";
    }

    @Override
    public String description() {
        return "generate --accounts 5 --messages 2000 (per account) [--seed 42] into a fresh pool + mariadbd";
    }

    @Override
    public BenchResult run(BenchContext ctx) throws Exception {
        int accounts = ctx.intArg("--accounts", 5);
        int perAccount = ctx.intArg("--messages", 2000);
        long seed = ctx.longArg("--seed", 42);
        ZimbraMailboxGenerator.Options options = ZimbraMailboxGenerator.Options.of(accounts, perAccount).withSeed(seed);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("accounts", accounts);
        params.put("messagesPerAccount", perAccount);
        params.put("seed", seed);
        params.put("largeShare", options.largeShare());
        params.put("compressShare", options.compressShare());

        try (ZfsPool pool = ZfsPool.createZimbraLayout();
             MariaDbServer db = MariaDbServer.start(pool.mountpoint(pool.dataset("db")).resolve("data"))) {
            Path store = pool.mountpoint(pool.dataset("store"));
            ctx.log().println("generator: " + accounts + " x " + perAccount + " messages into " + pool);
            GeneratedMailboxes g;
            long genNanos;
            try (Connection c = db.connect()) {
                ZimbraSchema.create(c, store, pool.mountpoint(pool.dataset("index")));
                long t0 = System.nanoTime();
                g = new ZimbraMailboxGenerator(options).generate(c, store);
                genNanos = System.nanoTime() - t0;
            }
            long checkNanos;
            ConsistencyReport report;
            try (Connection c = db.connect()) {
                long t0 = System.nanoTime();
                report = MailboxConsistencyCheck.check(c);
                checkNanos = System.nanoTime() - t0;
            }
            if (!report.ok()) {
                throw new IllegalStateException("generated data is inconsistent: " + report);
            }
            double secs = genNanos / 1e9;
            double checkSecs = checkNanos / 1e9;
            GeneratedMailboxes.Stats s = g.stats();
            double mb = s.contentBytes() / 1e6;
            return new BenchResult(name(), params, List.of(
                    new BenchResult.Metric("messages", s.messages(), "messages", 0),
                    new BenchResult.Metric("generate time", secs, "s", 1),
                    new BenchResult.Metric("generate rate", s.messages() / secs, "messages/s", 0),
                    new BenchResult.Metric("generate throughput (uncompressed)", mb / secs, "MB/s", 1),
                    new BenchResult.Metric("content (uncompressed)", mb, "MB", 1),
                    new BenchResult.Metric("stored in blobs", s.storedBytes() / 1e6, "MB", 1),
                    new BenchResult.Metric("gzip blobs", 100.0 * s.gzipShare(), "% of blobs", 1),
                    new BenchResult.Metric("consistency check time", checkSecs, "s", 1),
                    new BenchResult.Metric("consistency check rate", report.blobsChecked() / checkSecs, "blobs/s", 0)));
        }
    }
}
