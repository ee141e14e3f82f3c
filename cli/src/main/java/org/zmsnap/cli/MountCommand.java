package org.zmsnap.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.zmsnap.AgentContext;
import org.zmsnap.restore.RestoreService;
import org.zmsnap.restore.session.OpenedSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code zmsnap mount}: opens a snapshot set and leaves it open for browse/restore until {@code zmsnap unmount}. */
@Command(name = "mount", mixinStandardHelpOptions = true,
        description = {"Clone a snapshot set under restore.workdir and start a sandbox MariaDB on it, and keep it open.",
                "browse and restore on the same set then start in a moment. Close it with 'zmsnap unmount'."})
final class MountCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--snapshot", required = true, paramLabel = "TAG|latest|TIME", description = "the set: a tag, latest, or an ISO time (newest set at or before it)")
    String snapshot;

    @Mixin
    DrTargetOption target;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (AgentContext ctx = new AgentContext(config.load())) {
            RestoreService service = new RestoreService(ctx, target.get(), target.source());
            OpenedSnapshot o = service.open(snapshot);
            if (o.borrowed()) {
                spec.commandLine().getOut().println(json ? Json.write(describe(o)) : "already mounted: " + o.tag() + " at " + o.dir());
                return Main.OK;
            }
            o.keep();
            var out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.write(describe(o)));
            } else {
                out.println("mounted " + o.tag() + " as session " + o.id() + " at " + o.dir());
                o.remap().forEach((live, clone) -> out.println("  " + live + " -> " + clone));
                out.println("  sandbox MariaDB socket: " + o.socket());
                out.printf("  clone %d ms, mariadbd start %d ms; close with: zmsnap unmount%n", o.timings().cloneMillis(),
                        o.timings().databaseStartMillis());
            }
            return Main.OK;
        }
    }

    static Map<String, Object> describe(OpenedSnapshot o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("session", o.id());
        m.put("tag", o.tag());
        m.put("dir", o.dir().toString());
        m.put("socket", o.socket().toString());
        Map<String, String> mounts = new LinkedHashMap<>();
        o.remap().forEach((k, v) -> mounts.put(k.toString(), v.toString()));
        m.put("mounts", mounts);
        m.put("clone_ms", o.timings().cloneMillis());
        m.put("mariadbd_start_ms", o.timings().databaseStartMillis());
        return m;
    }
}
