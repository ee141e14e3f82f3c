package org.zmsnap.zimbra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FolderTreeTest {
    private static final FolderTree TREE = FolderTree.of(List.of(new Folder(1, 1, "/"), new Folder(2, 1, "/Inbox"),
            new Folder(3, 1, "/Trash"), new Folder(4, 1, "/Junk"), new Folder(300, 3, "/Trash/Old projects"),
            new Folder(301, 300, "/Trash/Old projects/2019"), new Folder(302, 2, "/Inbox/Trash-like"), new Folder(303, 303, "/Loop")));

    private static MailItem in(int id, int folder) {
        return new MailItem(id, MailItem.MESSAGE, folder, Instant.EPOCH, 1, null, null, false, 0, "", "", "", null, 1, null);
    }

    @Test
    void aWholeMailboxLeavesOutTrashJunkAndTheFoldersDeletedIntoTrash() {
        List<MailItem> items = List.of(in(10, 2), in(11, 3), in(12, 4), in(13, 300), in(14, 301), in(15, 302), in(16, 303), in(17, 999));
        assertEquals(List.of(10, 15, 16, 17), TREE.withoutTrashAndJunk(items).stream().map(MailItem::id).toList());
    }

    @Test
    void trashAndJunkAreLeftOutEvenWhenTheTreeDoesNotKnowThem() {
        assertEquals(List.of(), FolderTree.of(List.of()).withoutTrashAndJunk(List.of(in(1, 3), in(2, 4))));
    }
}
