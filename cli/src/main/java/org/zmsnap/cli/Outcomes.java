package org.zmsnap.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.zmsnap.replication.ReplicationOutcome;
import picocli.CommandLine;

/**
 * One replication outcome as a JSON row and, as text, one line in the one vocabulary of
 * {@link ReplicationOutcome#RESULTS}: shared by replicate (push) and pull.
 */
final class Outcomes {
    private Outcomes() {}

    /**
     * @param key        "target" or "source"
     * @param allowEmpty a run with nothing eligible counts as success ({@code --allow-empty})
     * @return the row; {@code ok} tells whether the link is up to date (or empty and allowed)
     */
    static Row report(String key, String name, ReplicationOutcome o, boolean json, boolean allowEmpty, CommandLine.Model.CommandSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(key, name);
        m.put("result", o.result());
        var out = spec.commandLine().getOut();
        if (o instanceof ReplicationOutcome.Replicated r) {
            m.put("bytes", r.bytes());
            m.put("seconds", r.nanos() / 1e9);
            m.put("newest_common", r.newestCommon().orElse(null));
            m.put("steps", r.steps());
            m.put("destroyed_on_target", r.destroyedOnTarget());
            if (!json && r.result().equals(ReplicationOutcome.REPLICATED)) {
                out.printf("%s: replicated: now at %s (%d bytes in %.1f s, %d step(s), %d pruned on the target)%n",
                        name, r.newestCommon().orElse("-"), r.bytes(), r.nanos() / 1e9, r.steps().size(), r.destroyedOnTarget());
            } else if (!json) {
                out.printf("%s: up-to-date: at %s (nothing to send, %d pruned on the target)%n",
                        name, r.newestCommon().orElse("-"), r.destroyedOnTarget());
            }
            return new Row(m, true);
        }
        m.put("reason", o.reason());
        boolean tolerated = allowEmpty && o instanceof ReplicationOutcome.NothingEligible;
        if (tolerated && !json) {
            out.println(name + ": " + o.result() + ": " + o.reason());
        } else if (!tolerated) {
            spec.commandLine().getErr().println("zmsnap: " + name + ": " + o.result() + ": " + o.reason());
        }
        return new Row(m, tolerated);
    }

    record Row(Map<String, Object> json, boolean ok) {}
}
