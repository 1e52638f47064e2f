package dev.pooltrack.cli;

import dev.pooltrack.cli.source.PoolSource;
import dev.pooltrack.report.QueryReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * {@code verifier /log FILE /interval N}: appends the {@code /query} counters of a pool to a file at
 * a fixed interval until stopped. One instance per run; {@link #run} is called from one thread and
 * {@link #stop} from any.
 */
final class VerifierLog {

    /* Each entry is the verifier /query text followed by an empty line: it holds the same counters
     * as /query (reference §3.1, [CLF]) and starts with its time line (yyyy-MM-dd HH:mm:ss, UTC),
     * which is where a reader splits entries (the /query text has empty lines of its own). An entry is formatted whole, then written with one write on a channel opened for
     * append, and forced to disk: a reader, or a crash of this process, sees whole entries only.
     *
     * Stopping: Ctrl+C and SIGTERM start the JVM's shutdown; a shutdown hook asks the loop to stop,
     * wakes it with unpark (an interrupt would close the FileChannel under a write), waits for the
     * entry in progress to be written, and halts with status 0, the status of a log that ran until it
     * was interrupted, as verifier /log does. Entries are timed from the start (start + k * interval),
     * so they do not drift; an entry that cannot keep up skips to the next slot. */

    private final PoolSource source;
    private final Path file;
    private final long intervalNanos;
    private volatile boolean stopping;
    private volatile Thread runner;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile long entries;

    VerifierLog(PoolSource source, Path file, Duration interval) {
        this.source = source;
        this.file = file;
        this.intervalNanos = interval.toNanos();
    }

    /**
     * Runs the log in the calling thread until SIGINT or SIGTERM: prints where it logs, then on a
     * signal writes the entry in progress, prints how many it wrote and halts the JVM with {@link
     * ExitStatus#SUCCESS}. Returns only on a failure.
     *
     * @throws CommandException if the file cannot be written
     * @throws dev.pooltrack.cli.source.SourceException if the JVM cannot be read (it exited)
     */
    static int runUntilInterrupted(PoolSource source, Path file, Duration interval, PrintWriter out) {
        VerifierLog log = new VerifierLog(source, file, interval);
        Thread hook = new Thread(
                () -> {
                    log.stop();
                    log.awaitFinished(Duration.ofSeconds(30));
                    out.println("Stopped: " + log.entries() + " entries in " + file + ".");
                    out.flush();
                    Runtime.getRuntime().halt(ExitStatus.SUCCESS);
                },
                "pooltrack verifier /log stop");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("Logging the verifier counters of " + source.describe() + " to " + file + " every "
                + seconds(interval) + " s. Ctrl+C stops.");
        out.flush();
        try {
            log.run(() -> false);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                while (true) { // shutting down: the hook reports and halts
                    LockSupport.park();
                }
            }
        }
        return ExitStatus.SUCCESS;
    }

    /**
     * Writes entries until {@link #stop} is called or {@code stopAfterEntry} says so after an entry.
     *
     * @return the number of entries written
     * @throws CommandException if the file cannot be opened or written
     */
    long run(BooleanSupplier stopAfterEntry) {
        runner = Thread.currentThread();
        try (FileChannel channel = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            long next = System.nanoTime();
            while (!stopping) {
                byte[] entry = (QueryReport.text(source.snapshot()) + "\n").getBytes(StandardCharsets.UTF_8);
                append(channel, entry);
                entries++;
                if (stopAfterEntry.getAsBoolean()) {
                    break;
                }
                long now = System.nanoTime();
                next += intervalNanos;
                if (next - now < 0) {
                    next = now + intervalNanos - Math.floorMod(now - next, intervalNanos);
                }
                long wait;
                while (!stopping && (wait = next - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(this, wait);
                }
            }
            return entries;
        } catch (IOException e) {
            throw new CommandException(
                    "cannot write the log file " + file + ": " + e + " (" + entries + " entries written)", e);
        } finally {
            finished.countDown();
        }
    }

    /** Asks the loop to stop after the entry it is writing, if any. */
    void stop() {
        stopping = true;
        Thread t = runner;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** The entries written so far. */
    long entries() {
        return entries;
    }

    private void awaitFinished(Duration timeout) {
        try {
            finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void append(FileChannel channel, byte[] entry) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(entry);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        channel.force(false);
    }

    private static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString();
    }
}
