package org.zmsnap.exec;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Commands on a host through one {@code zmsnap serve} session ({@link SessionServer} at the other end): the same
 * {@link CommandRunner} and {@link StreamingRunner} as one SSH channel per command, with one serve process answering
 * them all. Each command is still decided by the serve's own rules, one by one.
 *
 * <p>The server is not trusted either: its frames are bounded ({@link SessionFrame#MAX_PAYLOAD}), a command's stderr
 * is kept up to 64 KiB, and {@link #run} bounds a listing as {@link SshRunner} does.
 */
public final class SessionClient implements CommandRunner, StreamingRunner, AutoCloseable {
    private final DataInputStream in;
    private final DataOutputStream out;
    private final AutoCloseable channel;
    private final String where;
    private final Map<Integer, Call> calls = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final CompletableFuture<Boolean> hello = new CompletableFuture<>();
    private volatile String ended;

    private SessionClient(InputStream in, OutputStream out, AutoCloseable channel, String where) {
        this.in = new DataInputStream(new BufferedInputStream(in, 64 * 1024));
        this.out = new DataOutputStream(out);
        this.channel = channel;
        this.where = where;
    }

    /**
     * A session over a channel that was asked for one ({@link SessionFrame#REQUEST}), or empty when the other end did
     * not greet with {@link SessionFrame#HELLO} within {@code timeout}: a shell, or a serve too old for sessions, which
     * refuses the request. The channel is closed then.
     */
    public static Optional<SessionClient> open(InputStream in, OutputStream out, AutoCloseable channel, String where,
                                               Duration timeout) {
        SessionClient c = new SessionClient(in, out, channel, where);
        Thread t = new Thread(c::demultiplex, "serve-session " + where);
        t.setDaemon(true);
        t.start();
        boolean ok;
        try {
            ok = c.hello.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            ok = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
        }
        if (!ok) {
            c.close();
            return Optional.empty();
        }
        return Optional.of(c);
    }

    @Override
    public CommandResult run(Command command) {
        return SshRunner.collect(this, command, where);
    }

    @Override
    public RunningCommand start(List<String> argv) {
        Command c = new Command(argv, Duration.ofDays(1));
        Call call = new Call(nextId.getAndIncrement(), c);
        calls.put(call.id, call);
        // Checked after the put: a session ending in between would otherwise leave a call nobody ever ends.
        String why = ended;
        if (why != null) {
            calls.remove(call.id);
            throw new SshRunner.SshException("cannot run '" + c.display() + "' on " + where + ": " + why, null);
        }
        byte[] line = ShellQuote.join(argv).getBytes(StandardCharsets.UTF_8);
        try {
            send(SessionFrame.OPEN, call.id, line, 0, line.length);
        } catch (IOException e) {
            calls.remove(call.id);
            throw new SshRunner.SshException("cannot run '" + c.display() + "' on " + where + ": " + e.getMessage(), e);
        }
        return call;
    }

    /** Ends the session: the server kills whatever of ours still runs there. */
    @Override
    public void close() {
        endAll("the session was closed");
        try {
            channel.close();
        } catch (Exception ignored) {
            // already gone
        }
    }

    private void send(byte type, int id, byte[] b, int off, int len) throws IOException {
        synchronized (out) {
            SessionFrame.write(out, type, id, b, off, len);
        }
    }

    private void demultiplex() {
        String why = "the serve session ended";
        try {
            SessionFrame first = SessionFrame.read(in);
            if (first == null || first.type() != SessionFrame.HELLO_TYPE || !SessionFrame.HELLO.equals(first.text())) {
                hello.complete(false);
                return;
            }
            hello.complete(true);
            for (SessionFrame f; (f = SessionFrame.read(in)) != null; ) {
                Call c = calls.get(f.id());
                if (c != null) {
                    c.frame(f);
                }
            }
        } catch (IOException e) {
            why = "the serve session ended: " + e.getMessage();
        } finally {
            hello.complete(false);
            endAll(why);
            try {
                channel.close(); // the serve at the other end sees its session end and kills what still runs
            } catch (Exception ignored) {
                // already gone
            }
        }
    }

    private void endAll(String why) {
        if (ended == null) {
            ended = why;
        }
        for (Call c : calls.values()) {
            c.ended(-1, why);
        }
    }

    /** One command of the session, as a {@link RunningCommand}. */
    private final class Call implements RunningCommand {
        private final int id;
        private final Command command;
        private final FramedInput stdout = new FramedInput();
        private final BoundedText stderr = new BoundedText();
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();
        private final Object window = new Object();
        private long inFlight;
        private boolean stdinClosed;
        private final OutputStream stdin = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    int n = Math.min(len, SessionFrame.CHUNK);
                    awaitWindow(SessionFrame.cost(n));
                    send(SessionFrame.DATA, id, b, off, n);
                    off += n;
                    len -= n;
                }
            }

            @Override
            public void close() throws IOException {
                synchronized (window) {
                    if (stdinClosed || exit.isDone()) {
                        stdinClosed = true;
                        return;
                    }
                    stdinClosed = true;
                }
                send(SessionFrame.END, id, new byte[0], 0, 0);
            }
        };

        Call(int id, Command command) {
            this.id = id;
            this.command = command;
        }

        private void awaitWindow(int n) throws IOException {
            synchronized (window) {
                while (true) {
                    if (exit.isDone() || stdinClosed) {
                        // As a pipe to a command that has exited: the writer learns its stream was not taken.
                        throw new IOException("Broken pipe: '" + command.display() + "' on " + where + " no longer reads its input");
                    }
                    if (inFlight + n <= SessionServer.WINDOW) {
                        inFlight += n;
                        return;
                    }
                    try {
                        window.wait(1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while sending to '" + command.display() + "' on " + where);
                    }
                }
            }
        }

        void frame(SessionFrame f) throws IOException {
            if (f.payload().length > SessionFrame.CHUNK) {
                // Output comes in chunks: with at most 64 of them queued per command, a command's unread output is
                // bounded to 2 MiB whatever the server sends (zmsnapd runs in a small heap).
                throw new IOException("session protocol error: a frame of " + f.payload().length + " bytes from the server");
            }
            switch (f.type()) {
                case SessionFrame.STDOUT -> stdout.add(f.payload());
                case SessionFrame.STDERR -> stderr.append(f.payload(), 0, f.payload().length);
                case SessionFrame.ACK -> {
                    int n = f.intValue();
                    synchronized (window) {
                        inFlight = Math.max(0, inFlight - n);
                        window.notifyAll();
                    }
                }
                case SessionFrame.EXIT -> ended(f.intValue(), null);
                default -> throw new IOException("session protocol error: frame type " + (f.type() & 0xff) + " from the server");
            }
        }

        void ended(int status, String why) {
            calls.remove(id);
            if (why != null && !exit.isDone()) {
                byte[] b = ("(" + why + ")").getBytes(StandardCharsets.UTF_8);
                stderr.append(b, 0, b.length);
            }
            exit.complete(status);
            stdout.end();
            synchronized (window) {
                window.notifyAll();
            }
        }

        @Override
        public OutputStream stdin() {
            return stdin;
        }

        @Override
        public InputStream stdout() {
            return stdout;
        }

        @Override
        public String stderr() {
            return stderr.text();
        }

        @Override
        public int waitFor(Duration timeout) {
            try {
                return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                kill();
                throw new CommandTimeoutException(new Command(command.argv(), timeout), stderr() + " (on " + where + ")");
            } catch (InterruptedException e) {
                kill();
                Thread.currentThread().interrupt();
                throw new CommandTimeoutException(new Command(command.argv(), timeout), "interrupted");
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void kill() {
            if (exit.isDone()) {
                return;
            }
            ended(-1, null);
            // Sent from a thread of its own: the channel may be held by a writer waiting for the server's window, and
            // a caller giving up on a timeout must not wait behind it.
            Thread k = new Thread(() -> {
                try {
                    send(SessionFrame.KILL, id, new byte[0], 0, 0);
                } catch (IOException ignored) {
                    // the session is gone, and with it the command
                }
            }, "serve-session-kill");
            k.setDaemon(true);
            k.start();
        }

        @Override
        public String display() {
            return command.display() + " (on " + where + ")";
        }
    }

    /**
     * A command's stdout as an {@code InputStream}, filled by the session's reader. Bounded, so a reader that falls
     * behind slows the session down rather than filling memory; once its reader closes it, or the command was killed,
     * data for it is dropped.
     */
    private static final class FramedInput extends InputStream {
        private static final byte[] WAKE = new byte[0];
        private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>(64);
        private byte[] current;
        private int pos;
        private volatile boolean closed;
        private volatile boolean ended;

        void add(byte[] b) {
            try {
                while (!closed && !ended && !chunks.offer(b, 100, TimeUnit.MILLISECONDS)) {
                    // the reader is behind: wait for it (or for it to close the stream)
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** No more data comes; what is queued is still read. Never blocks: the reader may be gone. */
        void end() {
            ended = true;
            chunks.offer(WAKE); // a reader waiting in poll() sees the end now; if full, it is not waiting
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (current == null || pos == current.length) {
                try {
                    current = chunks.poll(20, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                pos = 0;
                if ((current == null || current == WAKE) && ended && chunks.isEmpty()) {
                    return -1;
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public void close() {
            closed = true;
            chunks.clear();
        }
    }
}
