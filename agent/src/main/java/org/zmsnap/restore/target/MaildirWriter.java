package org.zmsnap.restore.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.zmsnap.runtime.DaemonThreads;
import org.zmsnap.zimbra.MailItem;
import org.zmsnap.zimbra.RestoreException;

/**
 * A Maildir per folder (DIR/<folder path>/{cur,new,tmp}): unread messages in new/, read ones in cur/ with the
 * flag suffix (:2,DFRS). The unique name carries the item id, so a rerun finds what it already wrote.
 */
public final class MaildirWriter implements RestoreTarget {
    private final Path root;
    /** Per Maildir, the unique names (without flag suffix) already in cur/ and new/: read once, not per message. */
    private final Map<Path, Set<String>> present = new HashMap<>();
    private ExecutorService writers;

    public MaildirWriter(Path root) {
        this.root = root;
    }

    private Set<String> present(Path md) throws IOException {
        Set<String> names = present.get(md);
        if (names == null) {
            for (String sub : List.of("cur", "new", "tmp")) {
                OutputDirs.mkdirs(md.resolve(sub));
            }
            names = new HashSet<>();
            for (String sub : List.of("cur", "new")) {
                try (Stream<Path> s = Files.list(md.resolve(sub))) {
                    for (Path p : (Iterable<Path>) s::iterator) {
                        String n = p.getFileName().toString();
                        int colon = n.indexOf(':');
                        names.add(colon < 0 ? n : n.substring(0, colon));
                    }
                }
            }
            present.put(md, names);
        }
        return names;
    }

    @Override
    public Delivered message(MailItem item, List<String> folder, byte[] content) {
        return messages(List.of(new Outgoing(item, folder, content))).get(0);
    }

    /**
     * Writes a batch with two threads: each message is its own tmp/ file, fsync-free, and its own rename, so
     * they are independent, and a restore to files otherwise waits on one file system call at a time.
     */
    @Override
    public List<Delivered> messages(List<Outgoing> batch) {
        List<Future<Delivered>> pending = new ArrayList<>(batch.size());
        for (Outgoing o : batch) {
            Path md = OutputDirs.of(root, o.folder());
            String base = o.item().date().getEpochSecond() + ".zmsnap-" + o.item().id() + ".restore";
            Set<String> names;
            try {
                names = present(md);
            } catch (IOException e) {
                throw new RestoreException("cannot read the Maildir " + md + ": " + e.getMessage(), e);
            }
            if (!names.add(base)) {
                pending.add(CompletableFuture.completedFuture(
                        new Delivered.AlreadyPresent(md.resolve(base).toString())));
            } else {
                pending.add(writers().submit(() -> write(md, base, o.item(), o.content())));
            }
        }
        List<Delivered> out = new ArrayList<>(batch.size());
        for (Future<Delivered> f : pending) {
            try {
                out.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RestoreException("interrupted while writing the Maildir", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new RestoreException(e.getCause().toString(), e.getCause());
            }
        }
        return out;
    }

    private static Delivered write(Path md, String base, MailItem item, byte[] content) {
        try {
            Path tmp = md.resolve("tmp").resolve(base);
            Files.write(tmp, content);
            Files.setLastModifiedTime(tmp, FileTime.from(item.date()));
            Path dest = item.unread() && ImapFlags.maildirInfo(item).equals(":2,")
                    ? md.resolve("new").resolve(base)
                    : md.resolve("cur").resolve(base + ImapFlags.maildirInfo(item));
            Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
            return new Delivered.Written(dest.toString());
        } catch (IOException e) {
            throw new RestoreException("cannot write to the Maildir " + md + ": " + e.getMessage(), e);
        }
    }

    private ExecutorService writers() {
        if (writers == null) {
            writers = Executors.newFixedThreadPool(2, DaemonThreads.named("zmsnap-maildir-writer"));
        }
        return writers;
    }

    @Override
    public Delivered file(MailItem item, List<String> folder, byte[] content) {
        return ItemFiles.write(OutputDirs.of(root.resolve("files"), folder), item, content);
    }

    @Override
    public void close() {
        if (writers != null) {
            writers.shutdownNow();
        }
    }
}
