package org.zmsnap.failback;

import java.time.Instant;
import java.util.Optional;

/**
 * {@code org.zmsnap:handback} on each copy of a source whose DR host handed the service back: {@code <UTC time>
 * <final set> <host>}. The final set was taken with the service stopped there; the old host goes live once it has it.
 */
public record HandbackMark(Instant time, String set, String host) {
    public static final String PROPERTY = "org.zmsnap:handback";

    public String value() {
        return time + " " + set + " " + host;
    }

    public static Optional<HandbackMark> parse(Optional<String> value) {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String[] f = value.get().strip().split(" ");
        try {
            return f.length == 3 ? Optional.of(new HandbackMark(Instant.parse(f[0]), f[1], f[2])) : Optional.empty();
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
