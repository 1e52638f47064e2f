package dev.pooltrack.bench;

import dev.pooltrack.internal.ObservedTable;
import dev.pooltrack.internal.PoolCounters;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What recording an observed block costs: one insert and one remove in {@link ObservedTable}, alone
 * and around a real {@code malloc}+{@code free} pair (the agent's counters-only path for a watched
 * downcall records the block between the two calls), through the calling thread's own records and
 * through the shared segments, each an insert and a remove of the block {@code malloc} returned;
 * and through the thread's own records while it holds {@code older} blocks it allocated earlier
 * (a thread that keeps buffers), where each insert checks that the address is not recorded already.
 *
 * <p>Not thread-safe as a class, as JMH expects; one thread per benchmark.
 *
 * <pre>{@code
 * java -jar pooltrack-bench/target/benchmarks.jar ObservedTableBenchmark -f 4
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
@State(Scope.Thread)
public class ObservedTableBenchmark {

    private static final int TAG = 0x6E776444; // "Jdwn"

    private final ObservedTable table = new ObservedTable();
    private final PoolCounters counters = new PoolCounters();
    private final long[] record = new long[2];
    private long address = 0x7f00_0000_1000L;

    /** Insert and remove through the thread's own records, no allocator call. */
    @Benchmark
    public long localAlone() {
        ObservedTable.Local local = table.local(counters.cell());
        table.insert(local, address, 64, TAG, 0, 0, 0);
        table.remove(local, address, record);
        return record[0];
    }

    /** Finding the thread's records only. */
    @Benchmark
    public Object localOnly() {
        return table.local(counters.cell());
    }

    /** Insert and remove through the shared segments (a lock compare-and-set each), no allocator call. */
    @Benchmark
    public long sharedAlone() {
        table.insert(address, 64, TAG, 0, 0, 0);
        table.remove(address, record);
        return record[0];
    }

    /** The untracked pair: {@code malloc}+{@code free} downcalls. */
    @Benchmark
    public long mallocFree() throws Throwable {
        long a = (long) AllocFreeBenchmark.MALLOC.invokeExact(64L);
        AllocFreeBenchmark.FREE.invokeExact(a);
        return a;
    }

    /** The pair with the block recorded in the thread's own records in between. */
    @Benchmark
    public long mallocFreeLocal() throws Throwable {
        long a = (long) AllocFreeBenchmark.MALLOC.invokeExact(64L);
        ObservedTable.Local local = table.local(counters.cell());
        table.insert(local, a, 64, TAG, 0, 0, 0);
        table.remove(local, a, record);
        AllocFreeBenchmark.FREE.invokeExact(a);
        return record[0];
    }

    /** The pair with the block recorded in the shared segments in between. */
    @Benchmark
    public long mallocFreeShared() throws Throwable {
        long a = (long) AllocFreeBenchmark.MALLOC.invokeExact(64L);
        table.insert(a, 64, TAG, 0, 0, 0);
        table.remove(a, record);
        AllocFreeBenchmark.FREE.invokeExact(a);
        return record[0];
    }

    /** A thread's own records holding {@code older} blocks it allocated earlier and keeps. */
    @State(Scope.Thread)
    public static class Holding {
        @Param({"0", "1000"})
        int older;

        final ObservedTable table = new ObservedTable();
        final PoolCounters counters = new PoolCounters();
        /** 64 addresses, none of them held, inserted and removed in turn. */
        final long[] fresh = new long[64];

        int next;

        @Setup
        public void hold() {
            ObservedTable.Local local = table.local(counters.cell());
            long a = 0x7f10_0000_0000L;
            for (int i = 0; i < older; i++, a += 4096) {
                table.insert(local, a, 64, TAG, 0, 0, 0);
            }
            for (int i = 0; i < fresh.length; i++, a += 4096) {
                fresh[i] = a;
            }
        }
    }

    /** Insert and remove through the thread's own records while it holds {@code older} blocks. */
    @Benchmark
    public long localAmongOlder(Holding h) {
        long a = h.fresh[h.next++ & 63];
        ObservedTable.Local local = h.table.local(h.counters.cell());
        h.table.insert(local, a, 64, TAG, 0, 0, 0);
        h.table.remove(local, a, record);
        return record[0];
    }
}
