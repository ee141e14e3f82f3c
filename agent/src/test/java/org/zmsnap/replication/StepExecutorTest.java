package org.zmsnap.replication;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.zmsnap.exec.CommandResult;
import org.zmsnap.exec.CommandRunner;
import org.zmsnap.exec.RunningCommand;
import org.zmsnap.exec.StreamingRunner;
import org.zmsnap.zfs.DatasetName;
import org.zmsnap.zfs.SnapshotInfo;
import org.zmsnap.zfs.Zfs;
import org.zmsnap.zfs.ZfsException;
import org.zmsnap.zfs.ZfsWorkGate;

/**
 * One step, with both ends' processes replaced by recorded fakes (pure logic: which calls in which order, what the
 * bytes and the errors say); the real streams are proven by LocalReplicationIT, ReplicationZfsIT and PullIT.
 */
class StepExecutorTest {
    static final DatasetName SRC = DatasetName.of("tank/zimbra/store");
    static final DatasetName DST = DatasetName.of("backup/mbox1/zimbra/store");
    static final ReplicationPlan.Step STEP = new ReplicationPlan.Step(Optional.of(snap("a", 1)), snap("b", 2), false);

    final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    static SnapshotInfo snap(String name, long guid) {
        return new SnapshotInfo(SRC.at(name), guid, Instant.EPOCH.plusSeconds(guid), guid, 0, Map.of());
    }

    /** zfs on one side, as zfs-fuse answers: no 'zfs version' (so no resume, no -c); a hold refused if told so. */
    CommandRunner zfs(String side, boolean holdRefused) {
        return c -> {
            calls.add(side + ": " + String.join(" ", c.argv()));
            boolean fail = c.argv().get(1).equals("version") || holdRefused && c.argv().get(1).equals("hold");
            return new CommandResult(c, fail ? 1 : 0, "", fail ? "cannot hold: on purpose" : "", Duration.ZERO);
        };
    }

    /** A started stream command: what it writes, its exit and stderr; what it is given is kept. */
    static class Fake implements RunningCommand {
        final byte[] out;
        final int exit;
        final String err;
        final ByteArrayOutputStream in = new ByteArrayOutputStream();

        Fake(byte[] out, int exit, String err) {
            this.out = out;
            this.exit = exit;
            this.err = err;
        }

        @Override
        public OutputStream stdin() {
            return in;
        }

        @Override
        public InputStream stdout() {
            return new ByteArrayInputStream(out);
        }

        @Override
        public String stderr() {
            return err;
        }

        @Override
        public int waitFor(Duration timeout) {
            return exit;
        }

        @Override
        public void kill() { }

        @Override
        public String display() {
            return "fake";
        }
    }

    StreamingRunner streams(String side, Fake f) {
        return argv -> {
            calls.add(side + " starts: " + String.join(" ", argv));
            return f;
        };
    }

    StepExecutor executor(Fake send, Fake recv, boolean holdRefused) {
        return executor(send, recv, holdRefused, TransferProgress.NONE);
    }

    StepExecutor executor(Fake send, Fake recv, boolean holdRefused, TransferProgress progress) {
        SourceEndpoint source = SourceEndpoint.on(new Zfs(zfs("source", holdRefused), "zfs", Duration.ofSeconds(5)),
                streams("source", send), "zfs", "this host");
        TargetEndpoint target = TargetEndpoint.thisHost(new Zfs(zfs("target", false), "zfs", Duration.ofSeconds(5)),
                streams("target", recv), "zfs");
        return new StepExecutor(source, target, new StreamPump(0, Duration.ofSeconds(5)), progress, "zmsnap:dr1",
                Duration.ofSeconds(5));
    }

    /** What a step tells its progress listener, in order. */
    static final class Told implements TransferProgress {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void started(DatasetName dataset, String step, java.util.OptionalLong expectedBytes) {
            events.add("started " + dataset);
        }

        @Override
        public void moved(DatasetName dataset, long bytes) { }

        @Override
        public void finished(DatasetName dataset, long bytes, boolean ok) {
            events.add("finished " + dataset + " " + bytes + (ok ? " ok" : " failed"));
        }
    }

    static byte[] plainStream(int payload) {
        byte[] head = StreamHeaderTest.begin(ByteOrder.LITTLE_ENDIAN, 0x1, 0);
        byte[] all = new byte[head.length + payload];
        System.arraycopy(head, 0, all, 0, head.length);
        byte[] rest = new byte[payload];
        new Random(payload).nextBytes(rest);
        System.arraycopy(rest, 0, all, head.length, payload);
        return all;
    }

    @Test
    void aStepHoldsItsSnapshotThenStreamsItAndReportsItsBytes() {
        byte[] stream = plainStream(100_000);
        Fake send = new Fake(stream, 0, "");
        Fake recv = new Fake(new byte[0], 0, "");
        StepExecutor ex = executor(send, recv, false);

        assertEquals(stream.length, ex.send(STEP, DST));
        assertArrayEquals(stream, recv.in.toByteArray(), "the receiver got every byte the sender wrote");
        List<String> work = calls.stream().filter(c -> !c.endsWith("zfs version")).toList();
        assertEquals(List.of("source: zfs hold zmsnap:dr1 tank/zimbra/store@b",
                "target starts: zfs receive -u backup/mbox1/zimbra/store",
                "source starts: zfs send -i tank/zimbra/store@a tank/zimbra/store@b"), work,
                "held before anything is sent; plain -i, no -c and no -s where either end is zfs-fuse");
    }

    @Test
    void aHoldRefusedFailsTheStepBeforeAnyStreamStarts() {
        StepExecutor ex = executor(new Fake(plainStream(10), 0, ""), new Fake(new byte[0], 0, ""), true);
        ZfsException e = assertThrows(ZfsException.class, () -> ex.send(STEP, DST));
        assertTrue(e.getMessage().contains("cannot hold tank/zimbra/store@b as zmsnap:dr1"), e.getMessage());
        assertTrue(calls.stream().noneMatch(c -> c.contains("starts")), calls.toString());
    }

    @Test
    void aFailedSenderIsReportedWithBothExitsAndItsStderr() {
        Fake send = new Fake(new byte[0], 1, "cannot open 'tank/zimbra/store@b': dataset does not exist");
        StepExecutor ex = executor(send, new Fake(new byte[0], 0, ""), false);
        StepExecutor.ReplicationException e = assertThrows(StepExecutor.ReplicationException.class, () -> ex.send(STEP, DST));
        assertTrue(e.getMessage().startsWith("backup/mbox1/zimbra/store on this host (-i a → b): zfs send exited 1, zfs receive"
                + " exited 0; zfs send: cannot open"), e.getMessage());
        assertTrue(e.getMessage().endsWith("What the DR dataset already had is intact; the next run resumes (OpenZFS) or repeats"
                + " this step."), e.getMessage());
    }

    /**
     * A step that fails after its stream moved still moved those bytes over the wire: the run's outcome and
     * zmsnap_replication_bytes_total count them, so the failure carries them.
     */
    @Test
    void aStepThatFailsAfterMovingItsStreamCarriesTheBytesItMoved() {
        byte[] stream = plainStream(300_000);
        Fake refusing = new Fake(new byte[0], 1, "cannot receive incremental stream: out of space");
        StepExecutor.ReplicationException e = assertThrows(StepExecutor.ReplicationException.class,
                () -> executor(new Fake(stream, 0, ""), refusing, false).send(STEP, DST));
        assertEquals(stream.length, e.bytes(), e.getMessage());

        // The receiver gone mid-stream (its pipe broken after 128 KiB): what was written before counts.
        int cut = 128 * 1024;
        Fake gone = new Fake(new byte[0], 1, "connection lost") {
            final OutputStream breaking = new OutputStream() {
                int written;

                @Override
                public void write(int b) throws java.io.IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws java.io.IOException {
                    if (written + len > cut) {
                        throw new java.io.IOException("Broken pipe");
                    }
                    written += len;
                }
            };

            @Override
            public OutputStream stdin() {
                return breaking;
            }
        };
        Fake inChunks = new Fake(stream, 0, "") {
            @Override
            public InputStream stdout() {
                return new ByteArrayInputStream(stream) {
                    @Override
                    public synchronized int read(byte[] b, int off, int len) {
                        return super.read(b, off, Math.min(len, 64 * 1024)); // as a pipe delivers it
                    }
                };
            }
        };
        e = assertThrows(StepExecutor.ReplicationException.class,
                () -> executor(inChunks, gone, false).send(STEP, DST));
        assertTrue(e.getMessage().contains("copy: Broken pipe"), e.getMessage());
        assertTrue(e.bytes() > 0 && e.bytes() <= cut, "bytes moved before the pipe broke: " + e.bytes());

        e = assertThrows(StepExecutor.ReplicationException.class, () -> executor(
                new Fake(new byte[0], 1, "dataset does not exist"), new Fake(new byte[0], 0, ""), false).send(STEP, DST));
        assertEquals(0, e.bytes(), "a sender that wrote nothing moved nothing");
    }

    @Test
    void aStreamCarryingPropertiesIsRefusedBeforeTheReceiverGetsAByte() {
        Fake recv = new Fake(new byte[0], 0, "");
        Told told = new Told();
        StepExecutor ex = executor(new Fake(StreamHeaderTest.begin(ByteOrder.LITTLE_ENDIAN, 0x2, 0x264), 0, ""), recv, false, told);
        StepExecutor.ReplicationException e = assertThrows(StepExecutor.ReplicationException.class, () -> ex.send(STEP, DST));
        assertTrue(e.getMessage().contains("refused before receiving: the stream carries dataset properties"), e.getMessage());
        assertEquals(0, recv.in.size());
        assertEquals(0, e.bytes());
        assertEquals(List.of("started " + DST, "finished " + DST + " 0 failed"), told.events,
                "a refused stream ends for its listener too: zmsnap status must not show it running");
    }

    @Test
    void aResumeSendsTheTokenAndNeverHolds() {
        byte[] stream = plainStream(1000);
        StepExecutor ex = executor(new Fake(stream, 0, ""), new Fake(new byte[0], 0, ""), false);
        assertEquals(stream.length, ex.resume(DST, "1-abc-token"));
        assertTrue(calls.contains("source starts: zfs send -t 1-abc-token"), calls.toString());
        assertTrue(calls.stream().noneMatch(c -> c.contains(" hold ")), calls.toString());
    }

    /**
     * A pull's shape: the sending end is another host's (its own, unshared gate), the receiving end this host's, whose
     * gate a snapshot cycle here has closed. The step holds on the mailbox host, then its receive here waits for the
     * cycle; it starts once the gate reopens, and the wait is reported.
     */
    @Test
    void aStepIntoThisHostWaitsAtThisHostsGateWhileACycleHoldsItThenGoesAhead() throws Exception {
        ZfsWorkGate here = new ZfsWorkGate(Duration.ofSeconds(1), Duration.ofSeconds(30));
        List<Duration> waits = new CopyOnWriteArrayList<>();
        here.listen(waits::add);
        byte[] stream = plainStream(10_000);
        Fake recv = new Fake(new byte[0], 0, "");
        SourceEndpoint mailboxHost = SourceEndpoint.on(new Zfs(zfs("mailbox host", false), "zfs", Duration.ofSeconds(5)),
                streams("mailbox host", new Fake(stream, 0, "")), "zfs", "root@mailbox:22");
        TargetEndpoint thisHost = TargetEndpoint.thisHost(new Zfs(zfs("this host", false), "zfs", Duration.ofSeconds(5), here),
                streams("this host", recv), "zfs");
        StepExecutor ex = new StepExecutor(mailboxHost, thisHost, new StreamPump(0, Duration.ofSeconds(5)), TransferProgress.NONE,
                "zmsnap:dr1", Duration.ofSeconds(5));

        ZfsWorkGate.Closed cycle = here.close("snapshot cycle, policy hourly");
        CompletableFuture<Long> step = CompletableFuture.supplyAsync(() -> ex.send(STEP, DST));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!calls.contains("mailbox host: zfs hold zmsnap:dr1 tank/zimbra/store@b")) {
            assertTrue(System.nanoTime() < end, "the step held its snapshot on the mailbox host: " + calls);
            Thread.sleep(10);
        }
        Thread.sleep(300);
        assertFalse(step.isDone(), "the step waits for the cycle");
        assertFalse(calls.stream().anyMatch(c -> c.contains("starts:")), "no stream started under the cycle's lock: " + calls);
        assertEquals(List.of(), waits, "nothing reported while still waiting");

        cycle.close();
        assertEquals(stream.length, step.get(10, TimeUnit.SECONDS));
        assertArrayEquals(stream, recv.in.toByteArray());
        assertEquals(List.of("mailbox host: zfs hold zmsnap:dr1 tank/zimbra/store@b",
                "this host starts: zfs receive -u backup/mbox1/zimbra/store",
                "mailbox host starts: zfs send -i tank/zimbra/store@a tank/zimbra/store@b"),
                calls.stream().filter(c -> !c.endsWith("zfs version")).toList());
        assertEquals(1, waits.size(), "the receive's wait was reported once: " + waits);
        assertTrue(waits.get(0).toMillis() >= 250, "it waited for the cycle: " + waits);
    }
}
