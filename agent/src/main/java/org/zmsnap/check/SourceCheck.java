package org.zmsnap.check;

import java.util.List;
import java.util.Optional;
import org.zmsnap.config.SourceConfig;
import org.zmsnap.exec.SshRunner;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;

/** A DR host's source: where its copies go exists here; for a pull, the mailbox host's {@code serve --send-only}. */
final class SourceCheck {
    private SourceCheck() {}

    static List<CheckResult> run(SourceConfig s, Zfs local) {
        Lines l = new Lines("source " + s.name());
        DatasetName parent = s.root().parent().orElse(s.root());
        l.attempt("root", HostCheck.NO_ZFS_FIX, x -> {
            if (!local.missing(List.of(parent)).isEmpty()) {
                x.fail("root", (parent.equals(s.root()) ? "pool " : "the parent of root " + s.root() + ", ") + parent
                        + ", does not exist on this host", "create it (zfs create -p -o canmount=off " + parent
                        + ") or correct sources." + s.name() + ".root");
            } else if (!local.missing(List.of(s.root())).isEmpty()) {
                x.warn("root", s.root() + " does not exist yet (its parent does)", "nothing to do: the first receive creates it");
            } else {
                x.ok("root", s.root() + " exists");
            }
        });
        s.pull().ifPresent(p -> pull(l, s, p));
        return l.results();
    }

    private static void pull(Lines l, SourceConfig s, SourceConfig.Pull p) {
        Optional<SshRunner> ssh = SshProbe.connect(l, p.host(), p.port(), p.user(), p.identity(), p.knownHosts(),
                p.commandTimeout(), "check sources." + s.name() + ".pull host, port, user and identity, and that the mailbox"
                        + " host's authorized_keys holds the identity's public key with command=\"zmsnap serve --send-only --root"
                        + " POOL\" (docs/replication.md)");
        ssh.ifPresent(runner -> {
            try (runner) {
                Zfs zfs = new Zfs(runner, p.zfs(), p.commandTimeout());
                l.attempt("serve --send-only", "the key's forced command on the mailbox host must be 'zmsnap serve --send-only"
                        + " --root R' with R holding " + s.datasets(), x -> {
                    List<DatasetName> missing = zfs.missing(s.datasets());
                    x.ok("serve --send-only", "zfs listing answered through " + runner.where());
                    for (DatasetName d : s.datasets()) {
                        if (missing.contains(d)) {
                            x.fail(d.value(), "does not exist on the mailbox host " + p.host(),
                                    "correct sources." + s.name() + ".datasets to the mailbox host's 'datasets'");
                        } else {
                            x.ok(d.value(), "exists on the mailbox host");
                        }
                    }
                });
            }
        });
    }
}
