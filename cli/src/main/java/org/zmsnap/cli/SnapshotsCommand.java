package org.zmsnap.cli;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import org.zmsnap.snapshot.SnapshotProperties;
import org.zmsnap.snapshot.SnapshotSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code zmsnap snapshots}: the sets on this host, newest first. */
@Command(name = "snapshots", mixinStandardHelpOptions = true,
        description = "List zmsnap's snapshot sets on the configured datasets, newest first, with their metadata.")
final class SnapshotsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    @Mixin
    ConfigOption config;

    @Option(names = "--json", description = "print the sets as JSON")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<SnapshotSet> sets;
        try (AgentContext ctx = new AgentContext(config.load())) {
            sets = ctx.catalog().sets();
        }
        var out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (SnapshotSet s : sets) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("tag", s.tag().name());
                m.put("policy", s.tag().policy());
                m.put("time", s.tag().time().toString());
                m.put("complete", s.complete());
                m.put("missing", s.missing().stream().map(Object::toString).toList());
                m.put("consistent", s.consistency());
                m.put("held", s.held());
                Map<String, String> meta = new LinkedHashMap<>();
                for (String key : SnapshotProperties.ALL) {
                    s.property(key).ifPresent(v -> meta.put(key.substring(SnapshotProperties.NS.length()), v));
                }
                m.put("metadata", meta);
                m.put("datasets", s.members().keySet().stream().map(Object::toString).sorted().toList());
                rows.add(m);
            }
            out.println(Json.write(rows));
            return Main.OK;
        }
        if (sets.isEmpty()) {
            out.println("no zmsnap snapshot sets on " + String.join(", ", config.load().datasets().stream().map(Object::toString).toList()));
            return Main.OK;
        }
        out.printf("%-42s %-10s %-20s %-10s %8s %8s %-8s %s%n", "TAG", "POLICY", "TIME", "CONSISTENT", "HOLD_MS", "DATASETS", "QUIESCE", "VERIFIED");
        for (SnapshotSet s : sets) {
            out.printf("%-42s %-10s %-20s %-10s %8s %8s %-8s %s%n", s.tag().name(), s.tag().policy(), TIME.format(s.tag().time()),
                    s.consistency() + (s.held() ? "+held" : ""), s.property(SnapshotProperties.HOLD_MS).orElse("-"),
                    s.members().size() + "/" + s.intendedSize(),
                    s.property(SnapshotProperties.QUIESCE).orElse("-"), s.property(SnapshotProperties.VERIFIED).orElse("-"));
        }
        return Main.OK;
    }
}
