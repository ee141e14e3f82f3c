package org.zmsnap.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.zmsnap.config.Sizes;
import org.zmsnap.zimbra.ItemFilter;
import org.zmsnap.zimbra.MailItem;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** The item criteria of {@code search}, {@code restore}, {@code browse} and {@code export}: one set of options, one {@link ItemFilter}. */
final class ItemFilterOptions {
    static final Map<String, Integer> TYPES = Map.of("message", MailItem.MESSAGE, "contact", MailItem.CONTACT,
            "appointment", MailItem.APPOINTMENT, "task", MailItem.TASK, "document", MailItem.DOCUMENT);

    @Option(names = "--from", paramLabel = "TEXT", description = "the sender contains this (display name or address, any case)")
    String from;

    @Option(names = "--to", paramLabel = "TEXT", description = "the recipients contain this (display name or address, any case)")
    String to;

    @Option(names = "--subject", paramLabel = "TEXT", description = "the subject contains this (any case)")
    String subject;

    @Option(names = "--text", paramLabel = "TEXT",
            description = "the subject or any text part contains this, decoded as a mail reader shows it (reads the messages)")
    String text;

    @Option(names = "--since", paramLabel = "DATE|TIME", converter = Bound.Since.class,
            description = "dated on or after: 2026-03-01 (the day, UTC) or an ISO time 2026-03-01T08:00:00Z")
    Instant since;

    @Option(names = "--until", paramLabel = "DATE|TIME", converter = Bound.Until.class,
            description = "dated on or before: 2026-03-31 (the whole day, UTC) or an ISO time")
    Instant until;

    @Option(names = "--type", split = ",", paramLabel = "TYPE",
            description = "only these item types: message, contact, appointment, task, document (comma-separated)")
    List<String> types;

    @Option(names = "--has-attachment", description = "only messages with an attachment")
    boolean attached;

    @Option(names = "--larger", paramLabel = "SIZE", description = "at least this size: 500K, 10M, 1G")
    String larger;

    @Option(names = "--smaller", paramLabel = "SIZE", description = "at most this size: 500K, 10M, 1G")
    String smaller;

    /**
     * @param folder    the command's own {@code --folder} (restore and search both have one)
     * @param recursive its {@code --recursive}
     * @param deleted   its {@code --deleted}
     */
    ItemFilter filter(CommandLine cl, Optional<String> folder, boolean recursive, boolean deleted) {
        Set<Integer> typeIds = new LinkedHashSet<>();
        for (String t : types == null ? List.<String>of() : types) {
            Integer id = TYPES.get(t.strip().toLowerCase(Locale.ROOT));
            if (id == null) {
                throw new CommandLine.ParameterException(cl, "--type: unknown type '" + t + "'; use " + String.join(", ",
                        new java.util.TreeSet<>(TYPES.keySet())));
            }
            typeIds.add(id);
        }
        try {
            return new ItemFilter(Optional.empty(), opt(from), opt(to), opt(subject), opt(text), Optional.ofNullable(since), Optional.ofNullable(until),
                    folder, recursive, typeIds, attached, size(cl, "--larger", larger), size(cl, "--smaller", smaller), deleted);
        } catch (org.zmsnap.zimbra.RestoreUsageException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    private static Optional<String> opt(String s) {
        return Optional.ofNullable(s);
    }

    private static OptionalLong size(CommandLine cl, String option, String value) {
        if (value == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Sizes.parse(value));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, option + ": '" + value + "' is not a size: " + e.getMessage());
        }
    }

    /** A day or an instant; a day as {@code --until} means its end, so both bounds are inclusive as written. */
    abstract static class Bound implements CommandLine.ITypeConverter<Instant> {
        abstract Instant ofDay(LocalDate day);

        @Override
        public Instant convert(String value) {
            try {
                return value.contains("T") ? Instant.parse(value) : ofDay(LocalDate.parse(value));
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is neither a date (2026-03-01) nor an ISO time (2026-03-01T08:00:00Z)");
            }
        }

        static final class Since extends Bound {
            @Override
            Instant ofDay(LocalDate day) {
                return day.atStartOfDay(ZoneOffset.UTC).toInstant();
            }
        }

        static final class Until extends Bound {
            @Override
            Instant ofDay(LocalDate day) {
                return day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusSeconds(1);
            }
        }
    }
}
