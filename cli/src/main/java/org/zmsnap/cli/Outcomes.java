package org.zmsnap.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.zmsnap.replication.ReplicationOutcome;
import picocli.CommandLine;

/** One replication outcome as a JSON row and, on a terminal, one line: shared by replicate (push) and pull. */
final class Outcomes {
    private Outcomes() {}

    /**
     * @param key  "target" or "source"
     * @param name the target's or source's name
     * @return the row; {@code ok} tells whether the link is up to date
     */
    static Row report(String key, String name, ReplicationOutcome o, boolean json, CommandLine.Model.CommandSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(key, name);
        if (o instanceof ReplicationOutcome.Replicated r) {
            m.put("result", "replicated");
            m.put("bytes", r.bytes());
            m.put("seconds", r.nanos() / 1e9);
            m.put("newest_common", r.newestCommon().orElse(null));
            m.put("steps", r.steps());
            m.put("destroyed_on_target", r.destroyedOnTarget());
            if (!json) {
                spec.commandLine().getOut().printf("%s: up to date at %s (%d bytes in %.1f s, %d step(s), %d pruned on the target)%n",
                        name, r.newestCommon().orElse("-"), r.bytes(), r.nanos() / 1e9, r.steps().size(), r.destroyedOnTarget());
            }
            return new Row(m, true);
        }
        String reason = o instanceof ReplicationOutcome.Refused rf ? rf.reason() : ((ReplicationOutcome.Failed) o).reason();
        m.put("result", o instanceof ReplicationOutcome.Refused ? "refused" : "failed");
        m.put("reason", reason);
        spec.commandLine().getErr().println("zmsnap: " + name + ": " + m.get("result") + ": " + reason);
        return new Row(m, false);
    }

    record Row(Map<String, Object> json, boolean ok) {}
}
