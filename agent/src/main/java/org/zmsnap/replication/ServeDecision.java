package org.zmsnap.replication;

import java.util.List;
import java.util.Optional;

/** What a restricted endpoint ({@code zmsnap serve}, with or without {@code --send-only}) decided about one request. */
public sealed interface ServeDecision {
    /** Run this argv as it is ({@code zfs …} or {@code timeout -s KILL Ns zfs …}). */
    record Run(List<String> argv) implements ServeDecision {
        public Run {
            argv = List.copyOf(argv);
        }
    }

    /**
     * A {@code zfs receive} reading a stream from stdin: run the argv only once the stream's first record shows a
     * stream it accepts ({@link StreamHeader#accepted}: a plain stream of one dataset; a {@code -I} package only when
     * {@code receiveOverrides}, the argv pinning properties with {@code -x}/{@code -o}). A stream from
     * {@code zfs send -p} or {@code -R} carries properties such as {@code mountpoint}: refused.
     */
    record Receive(List<String> argv, boolean receiveOverrides) implements ServeDecision {
        public Receive {
            argv = List.copyOf(argv);
        }
    }

    /**
     * {@code zfs send -t TOKEN}: run the argv only if the snapshot the token names lies inside the root. The token
     * is opaque here; its snapshot is read with {@code zfs send -nvt TOKEN} (OpenZFS's own decoder) and checked with
     * {@link SendOnlyPolicy#resumeAllowed}.
     */
    record SendResume(List<String> argv, String token) implements ServeDecision {
        public SendResume {
            argv = List.copyOf(argv);
        }
    }

    /** Refused: {@code why} goes to the client and to syslog. */
    record Refused(String why) implements ServeDecision {}

    /** The argv to run (after any check the decision asks for), or empty when refused. */
    default Optional<List<String>> command() {
        if (this instanceof Run r) {
            return Optional.of(r.argv());
        } else if (this instanceof Receive r) {
            return Optional.of(r.argv());
        } else if (this instanceof SendResume s) {
            return Optional.of(s.argv());
        }
        return Optional.empty();
    }

    default String why() {
        return this instanceof Refused r ? r.why() : "";
    }
}
