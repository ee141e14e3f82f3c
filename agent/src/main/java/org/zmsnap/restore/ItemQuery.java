package org.zmsnap.restore;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Which items to read. Empty sets mean "no restriction".
 *
 * @param text matched (any case) against subject, sender and recipients
 */
public record ItemQuery(Set<Integer> ids, Set<Integer> folderIds, Optional<String> text, Optional<Instant> since,
                        Optional<Instant> until, boolean messagesOnly) {
    public ItemQuery {
        ids = Set.copyOf(ids);
        folderIds = Set.copyOf(folderIds);
    }

    public static ItemQuery all() {
        return new ItemQuery(Set.of(), Set.of(), Optional.empty(), Optional.empty(), Optional.empty(), false);
    }

    public ItemQuery withIds(Set<Integer> v) {
        return new ItemQuery(v, folderIds, text, since, until, messagesOnly);
    }

    public ItemQuery withFolders(Set<Integer> v) {
        return new ItemQuery(ids, v, text, since, until, messagesOnly);
    }

    public ItemQuery filtered(Optional<String> t, Optional<Instant> s, Optional<Instant> u) {
        return new ItemQuery(ids, folderIds, t, s, u, messagesOnly);
    }

    public ItemQuery onlyMessages() {
        return new ItemQuery(ids, folderIds, text, since, until, true);
    }
}
