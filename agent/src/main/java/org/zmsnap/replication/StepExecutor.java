package org.zmsnap.replication;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zmsnap.exec.RunningCommand;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;

/**
 * Runs one step of a plan and reports the bytes it moved: {@code zfs send} on the source → {@link StreamPump} →
 * {@code zfs receive} on the target, both exits checked, both stderr in the error. One per run: its pump (cap,
 * minimum rate, max-duration) is the run's, shared by the parallel streams.
 */
final class StepExecutor {
    /** Under the Replicator's name, as before the split: a step's log line is still the replication's. */
    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

    private final SourceEndpoint source;
    private final TargetEndpoint target;
    private final StreamPump pump;
    private final TransferProgress progress;
    private final String holdTag;
    private final Duration commandTimeout;
    /** Resuming needs both ends: 'receive -s' on the receiving host and 'send -t' on the sending one (zfs-fuse has neither). */
    private final boolean resumable;
    /** Blocks go as they are stored (lz4 on Zimbra stores): only OpenZFS can send or receive such a stream. */
    private final boolean compressed;

    StepExecutor(SourceEndpoint source, TargetEndpoint target, StreamPump pump, TransferProgress progress, String holdTag,
                 Duration commandTimeout) {
        this.source = source;
        this.target = target;
        this.pump = pump;
        this.progress = progress;
        this.holdTag = holdTag;
        this.commandTimeout = commandTimeout;
        this.resumable = source.features().resumableReceive() && target.features().resumableReceive();
        this.compressed = source.features().compressedSend() && target.features().compressedSend();
    }

    /** Whether an interrupted transfer can be continued from its token ({@code send -t}) rather than discarded. */
    boolean resumable() {
        return resumable;
    }

    /**
     * One plan step into {@code dst}. Its snapshot is held on the source first ({@code zmsnap:<target>}) so retention
     * cannot destroy it mid-stream; it becomes the common snapshot.
     */
    long send(ReplicationPlan.Step step, DatasetName dst) {
        List<String> args = new ArrayList<>();
        if (compressed) {
            // Less on the wire and no recompression on the DR side.
            args.add("-c");
        }
        step.from().ifPresent(f -> {
            args.add(step.intermediates() ? "-I" : "-i");
            args.add(f.name().toString());
        });
        args.add(step.to().name().toString());
        source.hold(holdTag, step.to().name());
        OptionalLong expected = progress.wantsEstimate()
                ? source.sendSize(step.from().map(SnapshotInfo::name), step.to().name(), compressed) : OptionalLong.empty();
        return transfer(args, dst, step.describe(), resumable, expected);
    }

    /** Continues the interrupted transfer into {@code dst} from its resume token ({@code send -t}). */
    long resume(DatasetName dst, String token) {
        return transfer(List.of("-t", token), dst, "resume of an interrupted transfer", true, OptionalLong.empty());
    }

    /** zfs send (args) → pump → zfs receive into {@code dst}; both exits checked, both stderr in the error. */
    private long transfer(List<String> sendArgs, DatasetName dst, String what, boolean resumable, OptionalLong expected) {
        // A stream already running is not paused, but none starts while a snapshot cycle holds the database lock.
        source.gate().awaitOpen("zfs send | zfs receive " + dst + " (" + what + ")");
        if (target.gate() != source.gate()) {
            target.gate().awaitOpen("zfs receive " + dst + " (" + what + ")");
        }
        RunningCommand recv = target.receive(dst, resumable);
        RunningCommand send;
        try {
            send = source.send(sendArgs);
        } catch (RuntimeException e) {
            recv.kill();
            throw new ReplicationException("cannot start zfs send: " + e.getMessage(), e);
        }
        StreamPump.Result r;
        String copyError = "";
        // What the pump had moved when a copy broke off: a failed step's bytes crossed the wire too, and the run's
        // outcome (and zmsnap_replication_bytes_total) counts them.
        java.util.concurrent.atomic.AtomicLong movedSoFar = new java.util.concurrent.atomic.AtomicLong();
        progress.started(dst, what, expected);
        try {
            // Whatever the source, nothing it sends may choose where or whether a DR dataset mounts: a pulled
            // stream is made by a host that may be compromised. The same rule as 'zmsnap serve' (StreamHeader).
            r = pump.copy(send.stdout(), recv.stdin(), () -> {
                send.kill();
                recv.kill();
            }, (head, n) -> {
                if (n == 0) {
                    return; // nothing to receive: the sender failed, and its exit status and stderr say why
                }
                StreamHeader.Kind kind = StreamHeader.of(head, n);
                if (!StreamHeader.accepted(kind)) {
                    send.kill();
                    recv.kill();
                    throw new ReplicationException(dst + " on " + target.where() + " (" + what + "): refused before receiving: "
                            + StreamHeader.refusal(kind) + ". Nothing was received.", null);
                }
            }, n -> {
                movedSoFar.set(n);
                progress.moved(dst, n);
            });
        } catch (IOException e) {
            copyError = e.getMessage();
            r = new StreamPump.Result(movedSoFar.get(), 0, Optional.empty());
        } catch (ReplicationException refused) {
            // Refused before receiving: the stream ends here, and must not stay in zmsnap status as running.
            progress.finished(dst, 0, false);
            throw refused;
        } finally {
            try {
                recv.stdin().close();
            } catch (IOException ignored) {
                // the receiver is gone; its exit status says why
            }
        }
        if (r.stalled() || !copyError.isEmpty()) {
            // Nobody reads the sender's output any more: it would block on a full pipe until command-timeout.
            send.kill();
        }
        int sendExit = safeWait(send, commandTimeout);
        int recvExit = safeWait(recv, commandTimeout);
        boolean failed = r.stalled() || sendExit != 0 || recvExit != 0 || !copyError.isEmpty();
        progress.finished(dst, r.bytes(), !failed);
        if (failed) {
            send.kill();
            recv.kill();
            String why = r.stop().map(StreamPump.Stop::describe)
                    .orElse("zfs send exited " + sendExit + ", zfs receive exited " + recvExit);
            throw new ReplicationException(dst + " on " + target.where() + " (" + what + "): " + why
                    + (copyError.isEmpty() ? "" : "; copy: " + copyError)
                    + stderr("zfs send", send) + stderr("zfs receive", recv)
                    + ". What the DR dataset already had is intact; the next run resumes (OpenZFS) or repeats this step.", null,
                    r.bytes());
        }
        LOG.info("sent {} → {}: {} bytes at {} MiB/s", what, dst, r.bytes(),
                String.format(java.util.Locale.ROOT, "%.1f", r.bytesPerSecond() / (1 << 20)));
        return r.bytes();
    }

    private static String stderr(String what, RunningCommand c) {
        String e = c.stderr().strip();
        return e.isEmpty() ? "" : "; " + what + ": " + e;
    }

    private static int safeWait(RunningCommand c, Duration timeout) {
        try {
            return c.waitFor(timeout);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** A transfer step failed, after moving {@link #bytes()} bytes of its stream (0 when it never started). */
    static final class ReplicationException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long bytes;

        ReplicationException(String message, Throwable cause) {
            this(message, cause, 0);
        }

        ReplicationException(String message, Throwable cause, long bytes) {
            super(message, cause);
            this.bytes = bytes;
        }

        long bytes() {
            return bytes;
        }
    }
}
