package org.zmsnap.exec;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The serving end of a session: reads {@link SessionFrame}s, asks an {@link Admitter} about every command exactly as a
 * one-command call would be asked, and runs what it admits with pipes of its own, several at once. The point is the
 * start-up: a replication run makes a handful of calls, and behind a forced command each call would otherwise start a
 * JVM.
 *
 * <p>Nothing here trusts the client: a frame over {@link SessionFrame#MAX_PAYLOAD}, a second OPEN of a live id, stdin
 * bytes beyond the acknowledged {@link #WINDOW} or an unknown frame type ends the session; at most
 * {@code maxCommands} run at once. When the session ends, however it ends, every command still running is killed with
 * its descendants.
 */
public final class SessionServer {
    /**
     * What a client may have sent a command's stdin and the server not yet handed to the command, counted with
     * {@link SessionFrame#cost}: bounds the server's buffers to about this much per command.
     */
    public static final int WINDOW = 4 << 20;

    /** Decides one command line of the session. */
    @FunctionalInterface
    public interface Admitter {
        Admission admit(String commandLine);
    }

    /** What the session does with one command line. */
    public sealed interface Admission {
        /** Refused: {@code message} goes to the client's stderr and to {@code refusals}; exit status 1. */
        record Refused(String message) implements Admission {}

        /** Run {@code argv}. */
        record Run(List<String> argv) implements Admission {
            public Run {
                argv = List.copyOf(argv);
            }
        }

        /**
         * Run {@code argv} only once the first {@code headLength} bytes of its stdin pass {@code check} (e.g. a zfs
         * stream's first record): the command does not start before.
         */
        record RunAfterHead(List<String> argv, int headLength, HeadCheck check) implements Admission {
            public RunAfterHead {
                argv = List.copyOf(argv);
            }
        }
    }

    /** Looks at a stream's first bytes: empty to accept, or the refusal's message. */
    @FunctionalInterface
    public interface HeadCheck {
        Optional<String> refusal(byte[] head, int length);
    }

    private final Admitter admitter;
    private final Consumer<String> refusals;
    private final int maxCommands;
    private final Map<Integer, Request> requests = new ConcurrentHashMap<>();
    private DataOutputStream out;

    /**
     * @param refusals hears every refusal (the serve command logs them to syslog)
     * @param maxCommands how many commands may run at once
     */
    public SessionServer(Admitter admitter, Consumer<String> refusals, int maxCommands) {
        this.admitter = admitter;
        this.refusals = refusals;
        this.maxCommands = maxCommands;
    }

    /** Serves until the client ends the session; 0 for a clean end, 1 for a protocol error or a broken channel. */
    public int serve(InputStream rawIn, OutputStream rawOut) {
        DataInputStream in = new DataInputStream(new BufferedInputStream(rawIn, 64 * 1024));
        out = new DataOutputStream(new BufferedOutputStream(rawOut, 64 * 1024));
        try {
            send(SessionFrame.HELLO_TYPE, 0, SessionFrame.HELLO.getBytes(StandardCharsets.UTF_8));
            for (SessionFrame f; (f = SessionFrame.read(in)) != null; ) {
                dispatch(f);
            }
            return 0;
        } catch (IOException e) {
            refusals.accept("session ended: " + e.getMessage());
            return 1;
        } finally {
            requests.values().forEach(Request::kill);
        }
    }

    private void dispatch(SessionFrame f) throws IOException {
        Request r = requests.get(f.id());
        switch (f.type()) {
            case SessionFrame.OPEN -> {
                if (r != null || f.id() <= 0) {
                    throw new IOException("session protocol error: request " + f.id() + " opened twice");
                }
                open(f.id(), f.text());
            }
            // Data for a request that already ended crossed its EXIT on the way: the client stops on the EXIT.
            case SessionFrame.DATA -> {
                if (r != null) {
                    r.data(f.payload());
                }
            }
            case SessionFrame.END -> {
                if (r != null) {
                    r.end();
                }
            }
            case SessionFrame.KILL -> {
                if (r != null) {
                    r.kill();
                }
            }
            default -> throw new IOException("session protocol error: unknown frame type " + (f.type() & 0xff));
        }
    }

    private void open(int id, String commandLine) throws IOException {
        if (requests.size() >= maxCommands) {
            refuse(id, "refused '" + commandLine + "': at most " + maxCommands + " commands run at once in one session");
            return;
        }
        Admission a;
        try {
            a = admitter.admit(commandLine);
        } catch (RuntimeException e) {
            // As a call of its own would: this command fails, the session's other commands go on.
            refuse(id, "refused '" + commandLine + "': it could not be decided: " + e.getMessage());
            return;
        }
        if (a instanceof Admission.Refused no) {
            refuse(id, no.message());
        } else if (a instanceof Admission.Run run) {
            Request r = new Request(id, run.argv(), null, 0);
            requests.put(id, r);
            r.start(null, 0);
        } else if (a instanceof Admission.RunAfterHead ra) {
            requests.put(id, new Request(id, ra.argv(), ra.check(), ra.headLength()));
        }
    }

    private void refuse(int id, String message) throws IOException {
        refusals.accept(message);
        fail(id, message, 1);
    }

    /** Ends a request that never ran: its message on the client's stderr, then its exit status. */
    private void fail(int id, String message, int status) throws IOException {
        send(SessionFrame.STDERR, id, (message + "\n").getBytes(StandardCharsets.UTF_8));
        send(SessionFrame.EXIT, id, SessionFrame.intPayload(status));
    }

    private void send(byte type, int id, byte[] b) throws IOException {
        send(type, id, b, b.length);
    }

    private void send(byte type, int id, byte[] b, int len) throws IOException {
        synchronized (out) {
            SessionFrame.write(out, type, id, b, 0, len);
        }
    }

    /** One command of the session: waiting for its stream's head, or running with three threads of its own. */
    private final class Request {
        private static final Chunk END_OF_INPUT = new Chunk(new byte[0], 0);
        private final int id;
        private final List<String> argv;
        private final HeadCheck check;
        private byte[] head;
        private int headFilled;
        private int headCost;
        /** Unbounded as a queue, bounded by the window: every entry was charged to it. */
        private final LinkedBlockingQueue<Chunk> toStdin = new LinkedBlockingQueue<>();
        private final AtomicLong unacknowledged = new AtomicLong();
        private volatile Process process;
        private volatile boolean killed;

        Request(int id, List<String> argv, HeadCheck check, int headLength) {
            this.id = id;
            this.argv = argv;
            this.check = check;
            this.head = check == null ? null : new byte[headLength];
        }

        void data(byte[] b) throws IOException {
            if (b.length == 0) {
                throw new IOException("session protocol error: an empty data frame for request " + id);
            }
            int cost = SessionFrame.cost(b.length);
            if (unacknowledged.addAndGet(cost) > WINDOW) {
                throw new IOException("session protocol error: request " + id + " sent more than its window of " + WINDOW + " bytes");
            }
            if (head != null) {
                headCost += cost;
                int take = Math.min(b.length, head.length - headFilled);
                System.arraycopy(b, 0, head, headFilled, take);
                headFilled += take;
                if (headFilled == head.length) {
                    decide();
                }
                if (take < b.length && process != null) {
                    toStdin.add(new Chunk(Arrays.copyOfRange(b, take, b.length), 0)); // its cost went with the head
                }
                return;
            }
            toStdin.add(new Chunk(b, cost));
        }

        void end() throws IOException {
            if (head != null) {
                decide();
            }
            toStdin.add(END_OF_INPUT);
        }

        /** The head is complete (or the stream ended before it was): start the command, or refuse it. */
        private void decide() throws IOException {
            byte[] h = head;
            int n = headFilled;
            head = null;
            Optional<String> no;
            try {
                no = check.refusal(h, n);
            } catch (RuntimeException e) {
                no = Optional.of("refused: the stream's first record could not be checked: " + e.getMessage());
            }
            if (no.isPresent()) {
                requests.remove(id);
                refuse(id, no.get());
                return;
            }
            start(h, n);
        }

        void start(byte[] first, int firstLength) throws IOException {
            int firstCost = headCost;
            Process p;
            try {
                p = new ProcessBuilder(argv).start();
            } catch (IOException e) {
                requests.remove(id);
                fail(id, "cannot start " + argv.get(0) + ": " + e.getMessage(), 127);
                return;
            }
            process = p;
            if (killed) {
                destroy(p);
            }
            if (first != null && firstLength > 0) {
                toStdin.add(new Chunk(Arrays.copyOf(first, firstLength), firstCost));
            }
            Thread err = daemon(() -> pump(p.getErrorStream(), SessionFrame.STDERR), "session-" + id + "-stderr");
            daemon(() -> feed(p), "session-" + id + "-stdin");
            daemon(() -> {
                pump(p.getInputStream(), SessionFrame.STDOUT);
                finish(p, err);
            }, "session-" + id + "-stdout");
        }

        /** Hands stdin bytes to the command in order and acknowledges them; a command that stopped reading is ended. */
        private void feed(Process p) {
            OutputStream to = p.getOutputStream();
            boolean broken = false;
            try {
                while (true) {
                    Chunk c = toStdin.take();
                    if (c == END_OF_INPUT) {
                        break;
                    }
                    if (!broken) {
                        try {
                            to.write(c.bytes());
                            to.flush();
                        } catch (IOException e) {
                            // It failed and says why on stderr, as a one-command receive would: the exit status tells.
                            broken = true;
                            p.destroy();
                        }
                    }
                    if (c.cost() > 0) {
                        unacknowledged.addAndGet(-c.cost());
                        send(SessionFrame.ACK, id, SessionFrame.intPayload(c.cost()));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                destroy(p); // the channel is gone
            } finally {
                try {
                    to.close();
                } catch (IOException ignored) {
                    // it has exited
                }
            }
        }

        private void pump(InputStream from, byte type) {
            byte[] buf = new byte[SessionFrame.CHUNK];
            try (from) {
                for (int n; (n = from.read(buf)) > 0; ) {
                    send(type, id, buf, n);
                }
            } catch (IOException e) {
                destroy(process);
            }
        }

        private void finish(Process p, Thread err) {
            try {
                err.join();
                int status = p.waitFor();
                toStdin.add(END_OF_INPUT); // ends the feeder if the client never did
                byte[] exit = SessionFrame.intPayload(status);
                // Its slot frees only as its EXIT is written: a client that stops reading cannot have more than
                // maxCommands requests (and their threads) parked behind the channel.
                synchronized (out) {
                    requests.remove(id);
                    SessionFrame.write(out, SessionFrame.EXIT, id, exit, 0, exit.length);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the client is gone; serve() kills what is left
            }
        }

        void kill() {
            killed = true;
            Process p = process;
            if (p != null) {
                destroy(p);
            } else if (requests.remove(id) != null) {
                // Still waiting for its head: it never started, and its client is no longer listening.
                head = null;
            }
        }
    }

    /** Bytes for a command's stdin, and what they counted against its window (acknowledged once written). */
    private record Chunk(byte[] bytes, int cost) {}

    /** The command and whatever it started ({@code timeout} runs zfs as its child). */
    private static void destroy(Process p) {
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
