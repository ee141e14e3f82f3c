package org.zmsnap.restore.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.zmsnap.zimbra.MailItem;
import org.zmsnap.zimbra.RestoreException;

/** One {@code <id>.eml} per message under DIR/<folder path>/, byte for byte the stored message. */
public final class EmlWriter implements RestoreTarget {
    private final Path root;

    public EmlWriter(Path root) {
        this.root = root;
    }

    @Override
    public Delivered message(MailItem item, List<String> folder, byte[] content) {
        return write(OutputDirs.of(root, folder).resolve(item.id() + ".eml"), item, content);
    }

    @Override
    public Delivered file(MailItem item, List<String> folder, byte[] content) {
        return ItemFiles.write(OutputDirs.of(root, folder), item, content);
    }

    static Delivered write(Path file, MailItem item, byte[] content) {
        try {
            if (Files.exists(file) && Files.size(file) == content.length) {
                return new Delivered.AlreadyPresent(file.toString());
            }
            OutputDirs.mkdirs(file.getParent());
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.write(tmp, content);
            Files.setLastModifiedTime(tmp, FileTime.from(item.date()));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new Delivered.Written(file.toString());
        } catch (IOException e) {
            throw new RestoreException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {}
}
