package org.zmsnap.zfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ContainerChainTest {
    static List<DatasetName> names(String... n) {
        return java.util.Arrays.stream(n).map(DatasetName::new).toList();
    }

    @Test
    void theChainRunsFromTheRootDownAndNeverAboveIt() {
        assertEquals(names("backup/dr/mbox1", "backup/dr/mbox1/zimbra", "backup/dr/mbox1/zimbra/db"),
                Zfs.chainBelow(new DatasetName("backup/dr/mbox1"), new DatasetName("backup/dr/mbox1/zimbra/db")));
        assertEquals(names("backup/dr/mbox1"), Zfs.chainBelow(new DatasetName("backup/dr/mbox1"), new DatasetName("backup/dr/mbox1")));
    }

    @Test
    void aDatasetOutsideTheRootIsItsOwnChain() {
        // A sibling with the root's name as a prefix is not below it.
        assertEquals(names("backup/dr/mbox10/zimbra"),
                Zfs.chainBelow(new DatasetName("backup/dr/mbox1"), new DatasetName("backup/dr/mbox10/zimbra")));
    }
}
