package org.zmsnap.replication;

import java.util.function.UnaryOperator;
import org.zmsnap.config.TargetConfig;
import org.zmsnap.config.ZfsTarget;
import org.zmsnap.zfs.DatasetName;

/**
 * Where each source dataset lands on the receiving side, and the subtree listed there once per run. A push and a
 * pull use the DR naming rule ({@link TargetConfig#under}); a failback receives the DR copies back into the old
 * host's own dataset names.
 *
 * @param treeRoot the receiving side's subtree that holds every copy (listed in one call)
 * @param copyOf   source dataset → receiving dataset
 */
public record CopyNaming(DatasetName treeRoot, UnaryOperator<DatasetName> copyOf) {
    public static CopyNaming of(ZfsTarget t) {
        return new CopyNaming(t.root(), t::targetOf);
    }
}
