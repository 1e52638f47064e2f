package dev.pooltrack.bench;

import dev.pooltrack.internal.ObservedTable;
import dev.pooltrack.internal.PoolCounters;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a free of a block another thread allocated costs in {@link ObservedTable}: {@code owners}
 * live threads record {@link #BLOCKS} blocks between them, each in its own part of the table, and
 * wait; the measured thread then frees them all, round-robin over the owners (every free misses the
 * freeing thread's own records and the shared segments and finds the block in an owner's). Against
 * it, the same frees when the measured thread recorded the blocks itself, and when the owners
 * recorded them in the shared segments (as every thread did before). Nanoseconds per free; the
 * owners' inserts run before each invocation and are not measured.
 *
 * <p>Not thread-safe as a class, as JMH expects; one measured thread.
 *
 * <pre>{@code
 * java -jar pooltrack-bench/target/benchmarks.jar ObservedRemoteFreeBenchmark
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class ObservedRemoteFreeBenchmark {

    static final int BLOCKS = 65_536;
    private static final int TAG = 0x6E776444; // "Jdwn"

    /** Live threads that own the records; 0: the measured thread recorded them itself. */
    @Param({"0", "1", "8", "64"})
    public int owners;

    /** Whether the owners record in their own parts of the table or in the shared segments. */
    @Param({"true", "false"})
    public boolean ownParts;

    private ObservedTable table;
    private PoolCounters counters;
    private ObservedTable.Local mine;
    private final long[] addresses = new long[BLOCKS];
    private final long[] record = new long[2];
    private Semaphore[] refill;
    private Semaphore refilled;
    private volatile boolean stopping;
    private Thread[] threads;

    /** Starts the owners, which record their share of the blocks each time they are asked to. */
    @Setup(Level.Trial)
    public void start() {
        table = new ObservedTable();
        counters = new PoolCounters();
        mine = table.local(counters.cell());
        int n = Math.max(owners, 1);
        for (int i = 0; i < BLOCKS; i++) {
            addresses[i] = ((long) (i % n + 1) << 40) + 64L * (i / n + 1);
        }
        refill = new Semaphore[owners];
        refilled = new Semaphore(0);
        threads = new Thread[owners];
        for (int o = 0; o < owners; o++) {
            int owner = o;
            refill[o] = new Semaphore(0);
            threads[o] = Thread.ofPlatform().daemon().start(() -> {
                ObservedTable.Local l = ownParts ? table.local(counters.cell()) : null;
                while (true) {
                    refill[owner].acquireUninterruptibly();
                    if (stopping) {
                        return;
                    }
                    for (int i = owner; i < BLOCKS; i += owners) {
                        table.insert(l, addresses[i], 64, TAG, 0, 0, 0);
                    }
                    refilled.release();
                }
            });
        }
    }

    /** Records every block again: in the owners' parts, or in the measured thread's own. */
    @Setup(Level.Invocation)
    public void record() {
        if (owners == 0) {
            for (long a : addresses) {
                table.insert(mine, a, 64, TAG, 0, 0, 0);
            }
            return;
        }
        for (Semaphore s : refill) {
            s.release();
        }
        refilled.acquireUninterruptibly(owners);
    }

    /** Frees every block, round-robin over their owners. */
    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public long free() {
        long bytes = 0;
        for (long a : addresses) {
            if (!table.remove(mine, a, record)) {
                throw new IllegalStateException("block not found: " + a);
            }
            bytes += ObservedTable.size(record);
        }
        return bytes;
    }

    /** Lets the owners end. */
    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        stopping = true;
        for (int o = 0; o < owners; o++) {
            refill[o].release();
            threads[o].join();
        }
    }
}
