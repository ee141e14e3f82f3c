package org.zmsnap.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Local streaming commands. Commons Exec's pumps copy into our streams on their own threads; a replication
 * stream wants the raw pipes, so this one uses ProcessBuilder (still an argument list, never a shell).
 */
public final class LocalStreamingRunner implements StreamingRunner {
    @Override
    public RunningCommand start(List<String> argv) {
        Command c = new Command(argv, Duration.ofDays(1));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("LC_ALL", "C");
        try {
            return new Local(pb.start(), c);
        } catch (IOException e) {
            throw new CommandStartException(c, e);
        }
    }

    private static final class Local implements RunningCommand {
        private final Process process;
        private final Command command;
        private final StderrCollector stderr;

        Local(Process process, Command command) {
            this.process = process;
            this.command = command;
            this.stderr = new StderrCollector(process.getErrorStream(), "stderr-" + command.argv().get(0));
        }

        @Override
        public OutputStream stdin() {
            return process.getOutputStream();
        }

        @Override
        public InputStream stdout() {
            return process.getInputStream();
        }

        @Override
        public String stderr() {
            return stderr.text();
        }

        @Override
        public int waitFor(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill();
                    throw new CommandTimeoutException(new Command(command.argv(), timeout), stderr());
                }
                stderr.join(2000);
                return process.exitValue();
            } catch (InterruptedException e) {
                kill();
                Thread.currentThread().interrupt();
                throw new CommandTimeoutException(new Command(command.argv(), timeout), "interrupted");
            }
        }

        @Override
        public void kill() {
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }

        @Override
        public String display() {
            return command.display();
        }
    }
}
