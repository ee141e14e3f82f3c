package org.zmsnap.zimbra;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the admin remembers about the items, the same for every mailbox searched: the criteria of {@code search},
 * and of {@code restore} and {@code browse} when given. They combine with AND; empty means no restriction.
 * {@link ItemSearch} is the one place that applies them.
 *
 * @param any     the subject, sender or recipients (browse's {@code --query})
 * @param text    the subject or any decoded text part of the message ({@link BodyText}); reads the blobs
 * @param folder  a folder path; with {@code recursive} the folders below it too. Without it, every folder, Trash and
 *                Junk included
 * @param deleted only items no longer in the live mailbox
 */
public record ItemFilter(Optional<String> any, Optional<String> from, Optional<String> to, Optional<String> subject, Optional<String> text,
                         Optional<Instant> since, Optional<Instant> until, Optional<String> folder, boolean recursive,
                         Set<Integer> types, boolean attached, OptionalLong larger, OptionalLong smaller, boolean deleted) {
    public ItemFilter {
        types = Set.copyOf(types);
        if (since.isPresent() && until.isPresent() && since.get().isAfter(until.get())) {
            throw new RestoreUsageException("--since " + since.get() + " is after --until " + until.get() + ": nothing can match");
        }
        if (larger.isPresent() && smaller.isPresent() && larger.getAsLong() > smaller.getAsLong()) {
            throw new RestoreUsageException("--larger " + larger.getAsLong() + " is more than --smaller " + smaller.getAsLong()
                    + ": nothing can match");
        }
        for (var o : java.util.List.of(any, from, to, subject, text)) {
            if (o.isPresent() && o.get().isBlank()) {
                throw new RestoreUsageException("an empty search phrase matches everything: leave the option out");
            }
        }
    }

    public static ItemFilter none() {
        return new ItemFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), false, Set.of(), false, OptionalLong.empty(), OptionalLong.empty(), false);
    }

    /** With browse's {@code --query}. */
    public ItemFilter withAny(Optional<String> v) {
        return new ItemFilter(v, from, to, subject, text, since, until, folder, recursive, types, attached, larger, smaller, deleted);
    }

    /** Only these types when none were asked for (browse lists messages). */
    public ItemFilter typesOrElse(Set<Integer> v) {
        return types.isEmpty() ? new ItemFilter(any, from, to, subject, text, since, until, folder, recursive, v, attached, larger,
                smaller, deleted) : this;
    }

    /**
     * Criteria beyond a folder and {@code --deleted}: with them, restore selects as search does (every folder, Trash
     * and Junk included); without, it keeps its own rules for a folder, a mailbox and {@code --deleted}.
     */
    public boolean narrows() {
        return any.isPresent() || from.isPresent() || to.isPresent() || subject.isPresent() || text.isPresent() || since.isPresent()
                || until.isPresent() || !types.isEmpty() || attached || larger.isPresent() || smaller.isPresent();
    }

    /** The SQL half, with {@code folderIds} already resolved in one mailbox's tree. */
    public ItemQuery query(Set<Integer> folderIds) {
        return ItemQuery.all().withFolders(folderIds).filtered(any, since, until).withHeaders(from, to, subject)
                .withTypes(types).withSize(attached, larger, smaller);
    }
}
