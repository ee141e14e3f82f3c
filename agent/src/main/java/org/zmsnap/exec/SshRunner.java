package org.zmsnap.exec;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Commands on a DR host over one SSH session (JSch). Host keys are checked strictly against a known_hosts file:
 * an unknown or changed key is refused. The remote command line is the argument list quoted with
 * {@link ShellQuote} (the SSH server hands it to the remote user's shell, or to a forced command).
 */
public final class SshRunner implements CommandRunner, StreamingRunner, AutoCloseable {
    private final Session session;
    private final String where;
    /** The serve session every command goes through, once one was opened. */
    private volatile SessionClient served;

    private SshRunner(Session session, String where) {
        this.session = session;
        this.where = where;
    }

    public static SshRunner connect(String host, int port, String user, Path identity, Path knownHosts, Duration timeout) {
        String where = user + "@" + host + ":" + port;
        // OpenSSH's rules, not JSch's KnownHosts (which accepts a port-22 entry for any port, and a revoked key
        // listed twice): see OpenSshKnownHosts.
        OpenSshKnownHosts hostKeys = OpenSshKnownHosts.read(knownHosts);
        try {
            JSch jsch = new JSch();
            jsch.addIdentity(identity.toString());
            jsch.setHostKeyRepository(hostKeys);
            Session s = jsch.getSession(user, host, port);
            s.setConfig("StrictHostKeyChecking", "yes");
            s.setConfig("PreferredAuthentications", "publickey");
            s.setServerAliveInterval((int) Math.max(1000, timeout.toMillis() / 4));
            s.setServerAliveCountMax(4);
            s.connect((int) timeout.toMillis());
            return new SshRunner(s, where);
        } catch (JSchException e) {
            throw new SshException(explain(where, knownHosts, hostKeys, e), e);
        }
    }

    private static String explain(String where, Path knownHosts, OpenSshKnownHosts hostKeys, JSchException e) {
        String m = String.valueOf(e.getMessage());
        if (!hostKeys.refusal().isEmpty() && (m.contains("HostKey") || m.contains("revoked"))) {
            return hostKeys.refusal();
        }
        if (m.contains("HostKey has been changed")) {
            return "the host key of " + where + " has CHANGED since it was recorded in " + knownHosts
                    + ": refusing to connect. If the DR host was reinstalled, verify its new key and update " + knownHosts;
        }
        if (m.contains("UnknownHostKey") || m.contains("reject HostKey")) {
            return "the host key of " + where + " is not in " + knownHosts
                    + ": refusing to connect. Add it after verifying it (ssh-keyscan, compared out of band)";
        }
        if (m.contains("Auth fail") || m.contains("Auth cancel")) {
            return "SSH login to " + where + " refused: check the target's user and identity, and the DR host's authorized_keys";
        }
        return "cannot reach " + where + " over SSH: " + m;
    }

    public String where() {
        return where;
    }

    /** The most a non-streaming remote command may print: a zfs listing of a large host is a few MiB. */
    static final int MAX_OUTPUT = 64 << 20;

    /**
     * Asks the other end for one serve session ({@link SessionClient}) that carries every later command of this runner:
     * behind a forced {@code zmsnap serve}, one process answers a whole replication run instead of one JVM start per
     * call. Where the other end is a shell or a serve without sessions, nothing changes and each command gets its own
     * channel as before.
     *
     * @return whether commands now go through a session
     */
    public synchronized boolean preferServeSession(Duration timeout) {
        if (served != null) {
            return true;
        }
        ChannelExec ch = null;
        try {
            ch = (ChannelExec) session.openChannel("exec");
            ch.setCommand(SessionFrame.REQUEST);
            InputStream fromServer = ch.getInputStream();
            OutputStream toServer = ch.getOutputStream();
            new StderrCollector(ch.getErrStream(), "ssh-session-stderr"); // a shell's "command not found"
            ch.connect((int) Math.max(1000, timeout.toMillis()));
            served = SessionClient.open(fromServer, toServer, ch::disconnect, where, timeout).orElse(null);
            return served != null;
        } catch (JSchException | IOException e) {
            if (ch != null) {
                ch.disconnect();
            }
            return false;
        }
    }

    @Override
    public CommandResult run(Command command) {
        SessionClient s = served;
        return s != null ? s.run(command) : collect(this, command, where);
    }

    /**
     * Runs a command started by {@code runner} to completion: stdout bounded by {@link #MAX_OUTPUT}, the command
     * bounded on the remote side too ({@link #bounded}). One rule for a channel per command and for a serve session.
     */
    static CommandResult collect(StreamingRunner runner, Command command, String where) {
        long start = System.nanoTime();
        RunningCommand rc = runner.start(bounded(command));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // Read on a helper thread: a remote command that never closes its stdout must not hang us past the timeout.
        java.util.concurrent.atomic.AtomicBoolean tooLong = new java.util.concurrent.atomic.AtomicBoolean();
        Thread reader = new Thread(() -> {
            try (InputStream in = rc.stdout()) {
                // Bounded: the other end may be a compromised host answering a listing with gigabytes.
                byte[] buf = new byte[65536];
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (out.size() + n > MAX_OUTPUT) {
                        tooLong.set(true);
                        rc.kill();
                        return;
                    }
                    out.write(buf, 0, n);
                }
            } catch (IOException ignored) {
                // the channel was closed (killed on timeout, or the connection dropped); the exit status tells
            }
        }, "ssh-stdout");
        reader.setDaemon(true);
        try {
            rc.stdin().close();
        } catch (IOException e) {
            rc.kill();
            throw new UncheckedIOException("writing to " + where + ": " + e.getMessage(), e);
        }
        reader.start();
        int exit = rc.waitFor(command.timeout());
        try {
            reader.join(Math.max(1000, command.timeout().toMillis() / 10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (tooLong.get()) {
            return new CommandResult(command, -1, "", "the output of '" + String.join(" ", command.argv()) + "' on " + where
                    + " exceeded " + (MAX_OUTPUT >> 20) + " MiB; it was stopped", Duration.ofNanos(System.nanoTime() - start));
        }
        String text;
        synchronized (out) {
            text = out.toString(StandardCharsets.UTF_8);
        }
        return new CommandResult(command, exit, text, rc.stderr(), Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * The remote command line, bounded on the remote side too: closing the channel at our timeout does not stop
     * a remote command that neither reads nor writes, and OpenSSH refuses to signal a root session ("session
     * signalling requires privilege separation"). coreutils' timeout kills it a second after we give up.
     * Streams ({@link #start}) need no bound there: a closed channel ends their stdin or stdout.
     */
    static List<String> bounded(Command command) {
        long seconds = Math.max(1, (command.timeout().toMillis() + 999) / 1000) + 1;
        List<String> argv = new java.util.ArrayList<>(List.of("timeout", "-s", "KILL", seconds + "s"));
        argv.addAll(command.argv());
        return argv;
    }

    @Override
    public RunningCommand start(List<String> argv) {
        SessionClient s = served;
        if (s != null) {
            return s.start(argv);
        }
        Command c = new Command(argv, Duration.ofDays(1));
        try {
            ChannelExec ch = (ChannelExec) session.openChannel("exec");
            ch.setCommand(ShellQuote.join(argv));
            InputStream stdout = ch.getInputStream();
            OutputStream stdin = ch.getOutputStream();
            StderrCollector err = new StderrCollector(ch.getErrStream(), "ssh-stderr");
            ch.connect(30_000);
            return new Remote(ch, c, stdin, stdout, err, where);
        } catch (JSchException | IOException e) {
            throw new SshException("cannot run '" + c.display() + "' on " + where + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        SessionClient s = served;
        if (s != null) {
            s.close();
        }
        session.disconnect();
    }

    /** SSH failed: connection, authentication, host key. */
    public static final class SshException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public SshException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final class Remote implements RunningCommand {
        private final ChannelExec channel;
        private final Command command;
        private final OutputStream stdin;
        private final InputStream stdout;
        private final StderrCollector stderr;
        private final String where;

        Remote(ChannelExec channel, Command command, OutputStream stdin, InputStream stdout, StderrCollector stderr, String where) {
            this.channel = channel;
            this.command = command;
            this.stdin = stdin;
            this.stdout = stdout;
            this.stderr = stderr;
            this.where = where;
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
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!channel.isClosed()) {
                if (System.nanoTime() > deadline) {
                    kill();
                    throw new CommandTimeoutException(new Command(command.argv(), timeout), stderr() + " (on " + where + ")");
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    kill();
                    Thread.currentThread().interrupt();
                    throw new CommandTimeoutException(new Command(command.argv(), timeout), "interrupted");
                }
            }
            try {
                stderr.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return channel.getExitStatus();
        }

        @Override
        public void kill() {
            channel.disconnect();
        }

        @Override
        public String display() {
            return command.display() + " (on " + where + ")";
        }
    }
}
