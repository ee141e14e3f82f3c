package org.zmsnap.restore.session;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.zmsnap.snapshot.SnapshotSet;
import org.zmsnap.zimbra.RestoreUsageException;

/** {@code --snapshot TAG | latest | ISO time}: picks one complete set; an unknown choice is a usage error. */
public final class SnapshotChooser {
    private SnapshotChooser() {}

    /** @param sets newest first, as {@code SnapshotCatalog.sets()} returns them */
    public static SnapshotSet choose(List<SnapshotSet> sets, String spec) {
        List<SnapshotSet> complete = sets.stream().filter(SnapshotSet::complete).filter(s -> s.missing().isEmpty()).toList();
        if (complete.isEmpty()) {
            throw new RestoreUsageException("there is no complete snapshot set to restore from (zmsnap snapshots lists them)");
        }
        if (spec.equals("latest")) {
            return complete.get(0);
        }
        Optional<SnapshotSet> byTag = complete.stream().filter(s -> s.tag().name().equals(spec)).findFirst();
        if (byTag.isPresent()) {
            return byTag.get();
        }
        Optional<Instant> time = parseTime(spec);
        if (time.isPresent()) {
            return complete.stream().filter(s -> !s.tag().time().isAfter(time.get())).findFirst()
                    .orElseThrow(() -> new RestoreUsageException("no complete snapshot set at or before " + time.get()
                            + "; the oldest is " + complete.get(complete.size() - 1).tag()));
        }
        boolean partial = sets.stream().anyMatch(s -> s.tag().name().equals(spec));
        throw new RestoreUsageException("unknown snapshot '" + spec + "'" + (partial ? " (that set is incomplete)" : "")
                + "; give a tag, 'latest' or a time such as 2026-11-22T14:00:00Z. Newest sets: "
                + String.join(", ", complete.stream().limit(5).map(s -> s.tag().name()).toList()));
    }

    private static Optional<Instant> parseTime(String spec) {
        try {
            return Optional.of(Instant.parse(spec));
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(OffsetDateTime.parse(spec).toInstant());
            } catch (DateTimeParseException e2) {
                return Optional.empty();
            }
        }
    }
}
