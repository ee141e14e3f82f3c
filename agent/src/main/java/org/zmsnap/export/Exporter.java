package org.zmsnap.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.zmsnap.restore.RestoreProgress;
import org.zmsnap.restore.RestoreSummary;
import org.zmsnap.restore.Restorer;
import org.zmsnap.restore.target.OutputDirs;
import org.zmsnap.restore.target.RestoreTarget;
import org.zmsnap.zimbra.Account;
import org.zmsnap.zimbra.BlobLocator;
import org.zmsnap.zimbra.FolderTree;
import org.zmsnap.zimbra.ItemSearch;
import org.zmsnap.zimbra.MailItem;
import org.zmsnap.zimbra.RestoreException;
import org.zmsnap.zimbra.RestoreUsageException;

/**
 * Writes what a search selected into an export directory, one subdirectory per account, through restore's own
 * files targets and {@link Restorer} (so every item type is written as restore writes it), and records each item.
 */
public final class Exporter {
    /** What was written, and what was selected but not exported (or exported with a warning), named. */
    public record Result(List<ExportManifest.Item> items, List<String> problems) {}

    private final Path dir;
    private final BlobLocator blobs;
    private final Function<Account, FolderTree> trees;
    private final Function<Path, RestoreTarget> writers;

    /**
     * @param dir     the export directory (see {@link #refuseNonEmpty}); absolute
     * @param writers the files target for one account's directory (EmlWriter::new, MboxWriter::new)
     */
    public Exporter(Path dir, BlobLocator blobs, Function<Account, FolderTree> trees, Function<Path, RestoreTarget> writers) {
        this.dir = dir;
        this.blobs = blobs;
        this.trees = trees;
        this.writers = writers;
    }

    /**
     * The export directory as an absolute path, checked before anything is opened or written: one that exists and
     * holds anything is refused, so evidence already there is never overwritten or mixed with a second export.
     */
    public static Path refuseNonEmpty(Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        try {
            if (Files.exists(d)) {
                if (!Files.isDirectory(d)) {
                    throw new RestoreUsageException(d + " exists and is not a directory: give a new or empty directory to --to-dir");
                }
                try (Stream<Path> s = Files.list(d)) {
                    if (s.findAny().isPresent()) {
                        throw new RestoreUsageException(d + " is not empty: an export never writes over or beside existing files"
                                + " (evidence). Give a new or empty directory; nothing was changed.");
                    }
                }
            }
            return d;
        } catch (IOException e) {
            throw new RestoreException("cannot list " + d + ": " + e.getMessage(), e);
        }
    }

    public Result run(List<ItemSearch.Hit> hits, RestoreProgress progress) {
        Map<Integer, List<ItemSearch.Hit>> byMailbox = new LinkedHashMap<>();
        for (ItemSearch.Hit h : hits) {
            byMailbox.computeIfAbsent(h.account().mailboxId(), k -> new ArrayList<>()).add(h);
        }
        List<ExportManifest.Item> items = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (List<ItemSearch.Hit> mine : byMailbox.values()) {
            Account a = mine.get(0).account();
            Map<Integer, ItemSearch.Hit> byId = new LinkedHashMap<>();
            mine.forEach(h -> byId.put(h.item().id(), h));
            List<MailItem> selected = mine.stream().map(ItemSearch.Hit::item).toList();
            RestoreSummary s;
            RecordingTarget target = new RecordingTarget(writers.apply(OutputDirs.of(dir, List.of(a.email()))), dir, byId);
            try (target) {
                s = new Restorer(a, trees.apply(a), blobs, false, false).run(selected, target, progress);
            }
            items.addAll(target.written());
            s.failures().forEach(f -> problems.add(a.email() + ": not exported: " + f));
            s.notMessageItems().forEach(f -> problems.add(a.email() + ": not exported: " + f));
            s.digestMismatches().forEach(f -> problems.add(a.email() + ": exported, but " + f));
        }
        return new Result(items, problems);
    }
}
