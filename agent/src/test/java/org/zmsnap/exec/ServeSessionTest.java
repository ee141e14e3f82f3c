package org.zmsnap.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zmsnap.exec.SessionServer.Admission;

/**
 * A serve session end to end in one JVM: the real client and server over a loopback socket, running real processes
 * (cat, echo, sleep). The admitter here is the test's: it refuses {@code rm}, and lets {@code cat} start only after
 * its stream begins with "OKAY" — the shape of serve's receive rule.
 */
class ServeSessionTest {
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private ServerSocket listener;
    private Socket serverSide;
    private final CompletableFuture<Integer> served = new CompletableFuture<>();

    private static Admission admit(String line) {
        List<String> argv = ShellQuote.split(line);
        List<String> cmd = argv.get(0).equals("timeout") ? argv.subList(4, argv.size()) : argv;
        if (cmd.get(0).equals("rm")) {
            return new Admission.Refused("refused '" + line + "': not a command this key runs");
        }
        if (cmd.get(0).equals("cat")) {
            return new Admission.RunAfterHead(argv, 4, (head, n) -> n == 4 && new String(head, 0, 4, StandardCharsets.US_ASCII)
                    .equals("OKAY") ? Optional.empty() : Optional.of("refused '" + line + "': the stream does not start with OKAY"));
        }
        return new Admission.Run(argv);
    }

    private SessionClient connect(int maxCommands) throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try {
                serverSide = listener.accept();
                served.complete(new SessionServer(ServeSessionTest::admit, refusals::add, maxCommands)
                        .serve(serverSide.getInputStream(), serverSide.getOutputStream()));
            } catch (IOException e) {
                served.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        Socket s = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        return SessionClient.open(s.getInputStream(), s.getOutputStream(), s::close, "test", Duration.ofSeconds(10)).orElseThrow();
    }

    @AfterEach
    void close() throws IOException {
        if (serverSide != null) {
            serverSide.close();
        }
        if (listener != null) {
            listener.close();
        }
    }

    @Test
    void commandsRunWithTheirOutputAndExitStatusAndARefusalIsExitOneWithItsReason() throws Exception {
        try (SessionClient c = connect(16)) {
            CommandResult hi = c.run(Command.of(Duration.ofSeconds(10), "echo", "hello", "session"));
            assertEquals(0, hi.exitCode(), hi.stderr());
            assertEquals("hello session\n", hi.stdout());
            CommandResult no = c.run(Command.of(Duration.ofSeconds(10), "false"));
            assertEquals(1, no.exitCode());
            CommandResult rm = c.run(Command.of(Duration.ofSeconds(10), "rm", "-rf", "/nothing"));
            assertEquals(1, rm.exitCode());
            assertTrue(rm.stderr().contains("not a command this key runs"), rm.stderr());
            assertEquals(1, refusals.size(), refusals.toString());
            CommandResult missing = c.run(Command.of(Duration.ofSeconds(10), "ls", "/no/such/dir"));
            assertEquals(2, missing.exitCode());
            assertTrue(missing.stderr().contains("/no/such/dir"), missing.stderr());
        }
        assertEquals(0, served.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aStreamLargerThanTheWindowPassesWholeAndStreamsRunInParallel() throws Exception {
        try (SessionClient c = connect(16)) {
            List<byte[]> inputs = new ArrayList<>();
            List<RunningCommand> cats = new ArrayList<>();
            List<CompletableFuture<byte[]>> outputs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                byte[] data = new byte[3 * SessionServer.WINDOW + 12345 * i];
                new Random(i).nextBytes(data);
                System.arraycopy("OKAY".getBytes(StandardCharsets.US_ASCII), 0, data, 0, 4);
                inputs.add(data);
                RunningCommand cat = c.start(List.of("cat"));
                cats.add(cat);
                outputs.add(CompletableFuture.supplyAsync(() -> readAll(cat.stdout())));
            }
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                RunningCommand cat = cats.get(i);
                byte[] data = inputs.get(i);
                writers.add(CompletableFuture.runAsync(() -> {
                    try (OutputStream to = cat.stdin()) {
                        for (int off = 0; off < data.length; off += 1 << 20) {
                            to.write(data, off, Math.min(1 << 20, data.length - off));
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (int i = 0; i < 4; i++) {
                writers.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(0, cats.get(i).waitFor(Duration.ofSeconds(60)), cats.get(i).stderr());
                assertArrayEquals(inputs.get(i), outputs.get(i).get(60, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void aStreamWhoseHeadIsRefusedNeverStartsItsCommand() throws Exception {
        try (SessionClient c = connect(16)) {
            RunningCommand cat = c.start(List.of("cat"));
            byte[] data = new byte[1 << 20];
            System.arraycopy("NOPE".getBytes(StandardCharsets.US_ASCII), 0, data, 0, 4);
            IOException broken = null;
            try (OutputStream to = cat.stdin()) {
                for (int i = 0; i < 20; i++) {
                    to.write(data);
                }
            } catch (IOException e) {
                broken = e; // the refusal crossed our writes: as a pipe whose reader exited
            }
            assertEquals(1, cat.waitFor(Duration.ofSeconds(10)));
            assertTrue(cat.stderr().contains("does not start with OKAY"), cat.stderr());
            assertEquals(0, readAll(cat.stdout()).length, "cat never ran, so nothing came back");
            assertTrue(broken == null || broken.getMessage().contains("no longer reads"), String.valueOf(broken));
            // A stream that ends before its head is complete is judged on what came.
            RunningCommand shortOne = c.start(List.of("cat"));
            shortOne.stdin().write("OK".getBytes(StandardCharsets.US_ASCII));
            shortOne.stdin().close();
            assertEquals(1, shortOne.waitFor(Duration.ofSeconds(10)));
            assertEquals(2, refusals.size(), refusals.toString());
        }
    }

    @Test
    void killTimeoutAndTheSessionsEndEachStopWhatRunsOnTheServer() throws Exception {
        SessionClient c = connect(16);
        RunningCommand killed = c.start(List.of("sleep", "301"));
        awaitChild("301");
        killed.kill();
        assertEquals(-1, killed.waitFor(Duration.ofSeconds(5)));
        awaitNoChild("301");

        RunningCommand late = c.start(List.of("sleep", "302"));
        assertThrows(CommandTimeoutException.class, () -> late.waitFor(Duration.ofMillis(300)));
        awaitNoChild("302");

        c.start(List.of("sleep", "303"));
        c.start(List.of("sleep", "304"));
        awaitChild("303");
        awaitChild("304");
        c.close();
        assertEquals(0, served.get(10, TimeUnit.SECONDS));
        awaitNoChild("303");
        awaitNoChild("304");
        assertThrows(SshRunner.SshException.class, () -> c.start(List.of("true")));
    }

    @Test
    void noMoreCommandsAtOnceThanTheServerAllows() throws Exception {
        try (SessionClient c = connect(2)) {
            RunningCommand a = c.start(List.of("sleep", "311"));
            RunningCommand b = c.start(List.of("sleep", "312"));
            CommandResult third = c.run(Command.of(Duration.ofSeconds(10), "true"));
            assertEquals(1, third.exitCode());
            assertTrue(third.stderr().contains("at most 2 commands"), third.stderr());
            a.kill();
            b.kill();
        }
    }

    @Test
    void aHostileClientsOversizedFrameEndsTheSessionAndKillsItsCommands() throws Exception {
        SessionClient c = connect(16);
        c.start(List.of("sleep", "321"));
        awaitChild("321");
        // The client's own channel, written behind its back: a frame announcing 2 GiB.
        OutputStream toServer = rawOutput(c);
        DataOutputStream d = new DataOutputStream(toServer);
        d.writeByte(SessionFrame.DATA);
        d.writeInt(1);
        d.writeInt(Integer.MAX_VALUE);
        d.flush();
        assertEquals(1, served.get(10, TimeUnit.SECONDS));
        awaitNoChild("321");
        assertTrue(refusals.stream().anyMatch(r -> r.contains("protocol error")), refusals.toString());
        c.close();
    }

    @Test
    void tinyOrEmptyFramesCannotMakeTheServerBufferMoreThanTheWindow() throws Exception {
        SessionClient c = connect(16);
        c.start(List.of("sleep", "331")); // request 1: never reads its stdin, so its pipe fills and the rest queues
        awaitChild("331");
        DataOutputStream d = new DataOutputStream(new java.io.BufferedOutputStream(rawOutput(c), 1 << 16));
        // One byte a frame: counted at its cost, the window is spent after about 16k frames past the pipe's 64 KiB.
        // Counted by payload alone it would take four million.
        for (int i = 0; i < 120_000 && !served.isDone(); i++) {
            d.writeByte(SessionFrame.DATA);
            d.writeInt(1);
            d.writeInt(1);
            d.writeByte('x');
        }
        d.flush();
        assertEquals(1, served.get(30, TimeUnit.SECONDS));
        assertTrue(refusals.stream().anyMatch(r -> r.contains("more than its window")), refusals.toString());
        awaitNoChild("331");
        c.close();
    }

    @Test
    void anEmptyDataFrameEndsTheSession() throws Exception {
        SessionClient c = connect(16);
        c.start(List.of("sleep", "332"));
        awaitChild("332");
        DataOutputStream d = new DataOutputStream(rawOutput(c));
        d.writeByte(SessionFrame.DATA);
        d.writeInt(1);
        d.writeInt(0);
        d.flush();
        assertEquals(1, served.get(10, TimeUnit.SECONDS));
        assertTrue(refusals.stream().anyMatch(r -> r.contains("empty data frame")), refusals.toString());
        awaitNoChild("332");
        c.close();
    }

    @Test
    void somethingThatIsNotAServeSessionIsNotTakenForOne() throws Exception {
        for (String answer : List.of("", "bash: zmsnap-session: command not found\n", "H\0\0\0\0\0\0\0\5hello")) {
            try (ServerSocket l = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Thread t = new Thread(() -> {
                    try (Socket s = l.accept()) {
                        s.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    } catch (IOException ignored) {
                        // the client gave up
                    }
                });
                t.setDaemon(true);
                t.start();
                Socket s = new Socket(InetAddress.getLoopbackAddress(), l.getLocalPort());
                assertFalse(SessionClient.open(s.getInputStream(), s.getOutputStream(), s::close, "shell", Duration.ofSeconds(5))
                        .isPresent(), answer);
                assertTrue(s.isClosed());
            }
        }
    }

    private OutputStream rawOutput(SessionClient c) throws Exception {
        var f = SessionClient.class.getDeclaredField("out");
        f.setAccessible(true);
        return (OutputStream) f.get(c);
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static boolean child(String arg) {
        return ProcessHandle.current().descendants().anyMatch(p -> p.info().arguments()
                .map(a -> a.length > 0 && a[a.length - 1].equals(arg)).orElse(false));
    }

    private static void awaitChild(String arg) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!child(arg)) {
            assertTrue(System.nanoTime() < end, "sleep " + arg + " never started");
            Thread.sleep(20);
        }
    }

    private static void awaitNoChild(String arg) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (child(arg)) {
            assertTrue(System.nanoTime() < end, "sleep " + arg + " still runs");
            Thread.sleep(20);
        }
    }
}
