package org.zmsnap.check;

import java.util.List;
import java.util.Optional;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.exec.LocalCommandRunner;
import org.zmsnap.exec.SshRunner;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.Zfs;

/** A push target: reachable with a known host key, {@code zmsnap serve} answering there, its root present. */
final class TargetCheck {
    private TargetCheck() {}

    static List<CheckResult> run(TargetConfig target) {
        Lines l = new Lines("target " + target.name());
        if (!(target instanceof ZfsTarget t)) {
            l.warn("rsync", "rsync targets are not checked by zmsnap check", "run 'zmsnap replicate --target " + target.name()
                    + "' to try it");
            return l.results();
        }
        DatasetName root = t.root();
        if (t.local()) {
            Zfs zfs = new Zfs(new LocalCommandRunner(), t.remoteZfs(), t.commandTimeout());
            l.attempt("pool", HostCheck.NO_ZFS_FIX, x -> {
                DatasetName pool = new DatasetName(root.pool());
                if (!zfs.missing(List.of(pool)).isEmpty()) {
                    x.fail("pool", "pool " + pool + " of root " + root + " does not exist on this host",
                            "create the pool (zpool create " + pool + " ...) or correct targets." + t.name() + ".root");
                } else {
                    x.ok("pool", pool + " exists");
                    root(x, zfs, root);
                }
            });
            return l.results();
        }
        Optional<SshRunner> ssh = SshProbe.connect(l, t.host(), t.port(), t.user(), t.identity().orElseThrow(),
                t.knownHosts().orElseThrow(), t.commandTimeout(), "check targets." + t.name() + ".host, port, user and identity,"
                        + " and that the DR host's authorized_keys holds the identity's public key with"
                        + " command=\"zmsnap serve --root " + root + "\" (docs/replication.md)");
        ssh.ifPresent(s -> {
            try (s) {
                Zfs zfs = new Zfs(s, t.remoteZfs(), t.commandTimeout());
                if (l.attempt("serve", "the key's forced command on the DR host must be 'zmsnap serve --root " + root
                        + "' with this root (docs/replication.md)", x -> root(x, zfs, root))) {
                    l.ok("serve", "zfs listing of " + root + " answered through " + s.where());
                }
            }
        });
        return l.results();
    }

    /** Present is ok; absent is a warning: the first replicate creates it (zfs create -p), if its pool exists. */
    private static void root(Lines l, Zfs zfs, DatasetName root) {
        if (zfs.missing(List.of(root)).isEmpty()) {
            l.ok("root", root + " exists");
        } else {
            l.warn("root", root + " does not exist yet", "nothing to do if its pool " + root.pool() + " exists there: the first"
                    + " 'zmsnap replicate' creates it; or create it now: zfs create -p -o canmount=off " + root);
        }
    }
}
