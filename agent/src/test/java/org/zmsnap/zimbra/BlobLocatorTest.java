package org.zmsnap.zimbra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobLocatorTest {
    @TempDir
    Path clone;

    private static final Path LIVE_STORE = Path.of("/opt/zimbra/store");

    private static MailItem item(int id, int modContent, String locator) {
        return new MailItem(id, MailItem.MESSAGE, 2, Instant.EPOCH, 10, locator, null, false, 0, "a", "b", "s", null, modContent, null);
    }

    /** Maps only the live store path onto the temp dir, like a clone of the store dataset would. */
    private BlobLocator locator(Volume v) {
        return new BlobLocator(Map.of(v.id(), v), p -> p.equals(LIVE_STORE) ? Optional.of(clone) : Optional.empty());
    }

    @Test
    void referenceExampleWithDefaultBits() {
        // The data-model reference: mailbox 5, item 70000, mod_content 1234 -> store/0/5/msg/17/70000-1234.msg
        BlobLocator l = locator(new Volume(1, LIVE_STORE, 12, 8, 12, 8));
        assertEquals(clone.resolve("0/5/msg/17/70000-1234.msg"), l.locate(5, item(70000, 1234, "1")));
    }

    @Test
    void nonDefaultBitsChangeBothGroupDirectories() {
        // file_bits 4 / group 4: (70000 >> 4) & 15 = 4375 & 15 = 7; mailbox_bits 2 / group 3: (5000 >> 2) & 7 = 1250 & 7 = 2
        BlobLocator l = locator(new Volume(3, LIVE_STORE, 4, 4, 2, 3));
        assertEquals(clone.resolve("2/5000/msg/7/70000-9.msg"), l.locate(5000, item(70000, 9, "3")));
    }

    @Test
    void largeMailboxIdUsesTheMailboxGroup() {
        // (70000 >> 12) & 255 = 17 for the mailbox side too; item 300 lands in group 0
        BlobLocator l = locator(new Volume(1, LIVE_STORE, 12, 8, 12, 8));
        assertEquals(clone.resolve("17/70000/msg/0/300-2.msg"), l.locate(70000, item(300, 2, " 1 ")));
    }

    @Test
    void fallsBackToThePre8NameOnlyWhenThatFileExists() throws Exception {
        BlobLocator l = locator(new Volume(1, LIVE_STORE, 12, 8, 12, 8));
        Path legacy = clone.resolve("0/5/msg/0/400.msg");
        // Without any file the current name is reported, so the "missing blob" message names the expected file.
        assertEquals(clone.resolve("0/5/msg/0/400-7.msg"), l.locate(5, item(400, 7, "1")));
        Files.createDirectories(legacy.getParent());
        Files.writeString(legacy, "x");
        assertEquals(legacy, l.locate(5, item(400, 7, "1")));
        // Once the current-name file exists it wins over the legacy one.
        Path current = legacy.resolveSibling("400-7.msg");
        Files.writeString(current, "y");
        assertEquals(current, l.locate(5, item(400, 7, "1")));
    }

    @Test
    void unknownVolumeExternalLocatorAndUnclonedPathAreErrorsNamingThem() {
        BlobLocator l = locator(new Volume(1, LIVE_STORE, 12, 8, 12, 8));
        assertTrue(assertThrows(RestoreException.class, () -> l.locate(5, item(1, 1, "2"))).getMessage().contains("volume 2"));
        assertTrue(assertThrows(RestoreException.class, () -> l.locate(5, item(1, 1, "@@s3key")))
                .getMessage().contains("not a volume id"));
        BlobLocator elsewhere = new BlobLocator(Map.of(1, new Volume(1, Path.of("/opt/zimbra/store2"), 12, 8, 12, 8)),
                p -> Optional.empty());
        assertTrue(assertThrows(RestoreException.class, () -> elsewhere.locate(5, item(1, 1, "1")))
                .getMessage().contains("/opt/zimbra/store2"));
    }
}
