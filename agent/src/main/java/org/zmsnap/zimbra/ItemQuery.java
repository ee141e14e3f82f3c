package org.zmsnap.zimbra;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Which rows of one mailbox to read: the SQL half of item selection ({@link ItemReader} turns it into one query).
 * Empty sets and empty optionals mean "no restriction". Substrings match any case.
 *
 * @param text      subject, sender or recipients (browse's {@code --query})
 * @param from      the sender as Zimbra stores it (display name or address)
 * @param to        the recipients as Zimbra stores them
 * @param subject   the subject
 * @param types     {@code mail_item.type} values ({@link MailItem#MESSAGE} ...)
 * @param attached  only items with Zimbra's ATTACHED flag
 * @param minSize   size at least, bytes
 * @param maxSize   size at most, bytes
 */
public record ItemQuery(Set<Integer> ids, Set<Integer> folderIds, Optional<String> text, Optional<Instant> since,
                        Optional<Instant> until, Optional<String> from, Optional<String> to, Optional<String> subject,
                        Set<Integer> types, boolean attached, OptionalLong minSize, OptionalLong maxSize) {
    public ItemQuery {
        ids = Set.copyOf(ids);
        folderIds = Set.copyOf(folderIds);
        types = Set.copyOf(types);
    }

    public static ItemQuery all() {
        return new ItemQuery(Set.of(), Set.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Set.of(), false, OptionalLong.empty(), OptionalLong.empty());
    }

    public ItemQuery withIds(Set<Integer> v) {
        return new ItemQuery(v, folderIds, text, since, until, from, to, subject, types, attached, minSize, maxSize);
    }

    public ItemQuery withFolders(Set<Integer> v) {
        return new ItemQuery(ids, v, text, since, until, from, to, subject, types, attached, minSize, maxSize);
    }

    public ItemQuery filtered(Optional<String> t, Optional<Instant> s, Optional<Instant> u) {
        return new ItemQuery(ids, folderIds, t, s, u, from, to, subject, types, attached, minSize, maxSize);
    }

    public ItemQuery withHeaders(Optional<String> f, Optional<String> t, Optional<String> s) {
        return new ItemQuery(ids, folderIds, text, since, until, f, t, s, types, attached, minSize, maxSize);
    }

    public ItemQuery withTypes(Set<Integer> v) {
        return new ItemQuery(ids, folderIds, text, since, until, from, to, subject, v, attached, minSize, maxSize);
    }

    public ItemQuery withSize(boolean attachedOnly, OptionalLong min, OptionalLong max) {
        return new ItemQuery(ids, folderIds, text, since, until, from, to, subject, types, attachedOnly, min, max);
    }
}
