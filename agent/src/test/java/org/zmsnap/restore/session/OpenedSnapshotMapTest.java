package org.zmsnap.restore.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zmsnap.zimbra.RestoreException;

/** Volume paths into the clones: by the live mountpoints, and by trailing components where those are unknown (a DR host). */
class OpenedSnapshotMapTest {
    @TempDir
    Path dir;

    private OpenedSnapshot opened(Map<Path, Path> remap) {
        RestoreSession s = new RestoreSession("abcd", "zmsnap_hourly_2026-11-22T11:00:00Z", 0, 0, 0, List.of(), remap,
                dir.resolve("db/data"), "local");
        return new OpenedSnapshot(null, dir, s, new OpenTimings(0, 0), false);
    }

    private Path blobTree(String clone) throws Exception {
        Path root = dir.resolve(clone);
        Files.createDirectories(root.resolve("0/5/msg/0"));
        return root;
    }

    @Test
    void aLiveMountpointPrefixWins() throws Exception {
        Map<Path, Path> remap = new LinkedHashMap<>();
        remap.put(Path.of("/opt/zimbra"), dir.resolve("zimbra"));
        remap.put(Path.of("/opt/zimbra/store"), dir.resolve("store"));
        assertEquals(Optional.of(dir.resolve("store/0/5")), opened(remap).map(Path.of("/opt/zimbra/store/0/5")));
        assertEquals(Optional.of(dir.resolve("zimbra/index")), opened(remap).map(Path.of("/opt/zimbra/index")));
    }

    @Test
    void onADrHostTheVolumeIsFoundByItsBlobTree() throws Exception {
        Path store = blobTree("store");
        Files.createDirectories(dir.resolve("db/data/mysql"));
        Map<Path, Path> remap = new LinkedHashMap<>();
        remap.put(Path.of("/backup/mbox1/zimbra/db"), dir.resolve("db"));
        remap.put(Path.of("/backup/mbox1/zimbra/store"), store);
        assertEquals(Optional.of(store), opened(remap).map(Path.of("/opt/zimbra/store")));
    }

    @Test
    void aVolumeInsideADatasetIsFoundByItsTrailingPathComponents() throws Exception {
        // tank/zimbra mounted at /opt/zimbra on the mailbox host: the volume is store/ inside the clone
        Path vol = blobTree("zimbra/store");
        Map<Path, Path> remap = Map.of(Path.of("/dr/zimbra"), dir.resolve("zimbra"));
        assertEquals(Optional.of(vol), opened(remap).map(Path.of("/opt/zimbra/store")));
    }

    @Test
    void twoStoresAreToldApartByTheDatasetLeaf() throws Exception {
        Path store = blobTree("store");
        Path store2 = blobTree("store2");
        Map<Path, Path> remap = new LinkedHashMap<>();
        remap.put(Path.of("/dr/store"), store);
        remap.put(Path.of("/dr/store2"), store2);
        OpenedSnapshot o = opened(remap);
        assertEquals(Optional.of(store2), o.map(Path.of("/opt/zimbra/store2")));
        assertEquals(Optional.of(store), o.map(Path.of("/opt/zimbra/store")));
        RestoreException e = assertThrows(RestoreException.class, () -> o.map(Path.of("/opt/zimbra/hsm")));
        assertTrue(e.getMessage().contains("could be any of"), e.getMessage());
    }

    @Test
    void nothingThatLooksLikeABlobStoreIsNoMapping() throws Exception {
        Files.createDirectories(dir.resolve("db/data/mysql"));
        Files.createDirectories(dir.resolve("index/0/5/index/0"));
        Map<Path, Path> remap = new LinkedHashMap<>();
        remap.put(Path.of("/dr/db"), dir.resolve("db"));
        remap.put(Path.of("/dr/index"), dir.resolve("index"));
        assertEquals(Optional.empty(), opened(remap).map(Path.of("/opt/zimbra/store")));
    }
}
