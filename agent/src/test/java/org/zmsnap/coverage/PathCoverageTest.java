package org.zmsnap.coverage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PathCoverageTest {
    // A Zimbra host: / on ext4, tank/zimbra/{db,store,index,redolog} below /opt/zimbra, a child dataset of the
    // store that is not configured, an ext4 disk mounted inside the index dataset, and the db dataset bind-mounted
    // a second time elsewhere.
    static final String MOUNTINFO = """
            22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
            40 22 0:41 / /opt/zimbra rw,relatime shared:20 - zfs tank/zimbra rw,xattr
            41 40 0:42 / /opt/zimbra/db rw,relatime shared:21 - zfs tank/zimbra/db rw,xattr
            42 40 0:43 / /opt/zimbra/store rw,relatime shared:22 - zfs tank/zimbra/store rw,xattr
            43 40 0:44 / /opt/zimbra/index rw,relatime shared:23 - zfs tank/zimbra/index rw,xattr
            44 42 0:45 / /opt/zimbra/store/hsm rw,relatime shared:24 - zfs tank/zimbra/store/hsm rw,xattr
            45 43 8:17 / /opt/zimbra/index/extra rw,relatime shared:25 - ext4 /dev/sdb1 rw
            46 22 0:42 /data /srv/mysql\\040data rw,relatime shared:21 - zfs tank/zimbra/db rw,xattr
            47 22 0:50 / /tmp/fuse rw,relatime - fuse.zfs zt1/zimbra/db rw,user_id=0
            """;
    static final PathCoverage RULE = new PathCoverage(MountTable.parse(MOUNTINFO),
            List.of("tank/zimbra/db", "tank/zimbra/store", "tank/zimbra/index", "zt1/zimbra/db"));

    private static PathCoverage.Verdict of(String path) {
        return RULE.of(Path.of(path));
    }

    @Test
    void aPathInsideAConfiguredDatasetIsCoveredByThatDataset() {
        assertEquals(new PathCoverage.Verdict.Covered("tank/zimbra/db"), of("/opt/zimbra/db/data"));
        assertEquals(new PathCoverage.Verdict.Covered("tank/zimbra/store"), of("/opt/zimbra/store"));
        assertEquals(new PathCoverage.Verdict.Covered("tank/zimbra/index"), of("/opt/zimbra/index/0/5/index/0"));
    }

    @Test
    void zfsFuseMountsCount() {
        assertEquals(new PathCoverage.Verdict.Covered("zt1/zimbra/db"), of("/tmp/fuse/data"));
    }

    @Test
    void aPathOnTheRootFilesystemIsOutsideAndSaysWhatHoldsIt() {
        var v = assertInstanceOf(PathCoverage.Verdict.Outside.class, of("/var/lib/mysql"));
        assertTrue(v.foundOn().contains("/dev/sda1 (ext4"), v.foundOn());
    }

    @Test
    void aSiblingWhoseNameMerelyStartsWithTheMountpointIsOutside() {
        // /opt/zimbra/storeX is on tank/zimbra (not configured), not on tank/zimbra/store
        var v = assertInstanceOf(PathCoverage.Verdict.Outside.class, of("/opt/zimbra/storeX/0"));
        assertTrue(v.foundOn().contains("tank/zimbra (zfs"), v.foundOn());
        assertTrue(v.foundOn().contains("not in 'datasets'"), v.foundOn());
    }

    @Test
    void anUnconfiguredChildDatasetIsOutsideBecauseTheParentsSnapshotDoesNotContainIt() {
        var v = assertInstanceOf(PathCoverage.Verdict.Outside.class, of("/opt/zimbra/store/hsm/1"));
        assertTrue(v.foundOn().contains("tank/zimbra/store/hsm"), v.foundOn());
    }

    @Test
    void anotherFilesystemMountedInsideADatasetIsOutside() {
        var v = assertInstanceOf(PathCoverage.Verdict.Outside.class, of("/opt/zimbra/index/extra/2"));
        assertTrue(v.foundOn().contains("/dev/sdb1"), v.foundOn());
    }

    @Test
    void aBindMountOfAConfiguredDatasetIsCoveredWhereverItIsMounted() {
        // the mount point's escaped space (\040) is decoded
        assertEquals(new PathCoverage.Verdict.Covered("tank/zimbra/db"), of("/srv/mysql data/ibdata1"));
    }

    @Test
    void dotDotIsNormalisedBeforeTheRuleApplies() {
        assertInstanceOf(PathCoverage.Verdict.Outside.class, of("/opt/zimbra/db/../redolog"));
    }

    @Test
    void anEmptyMountTableCoversNothing() {
        var v = new PathCoverage(MountTable.parse(""), List.of("tank/zimbra/db")).of(Path.of("/opt/zimbra/db"));
        assertInstanceOf(PathCoverage.Verdict.Outside.class, v);
    }

    @Test
    void aRelativePathIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> of("opt/zimbra/db"));
    }

    @Test
    void theLastMountOnAPointHidesTheEarlierOnes() {
        MountTable t = MountTable.parse("""
                1 0 8:1 / / rw - ext4 /dev/sda1 rw
                2 1 0:41 / /opt/zimbra/db rw - zfs tank/zimbra/db rw
                3 1 8:2 / /opt/zimbra/db rw - xfs /dev/sdc1 rw
                """);
        assertInstanceOf(PathCoverage.Verdict.Outside.class,
                new PathCoverage(t, List.of("tank/zimbra/db")).of(Path.of("/opt/zimbra/db/data")));
    }

    @Test
    void aGarbledMountinfoLineIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> MountTable.parse("1 2 3\n"));
    }
}
