package dev.pooltrack.bench;

import dev.pooltrack.internal.PoolCounters;
import dev.pooltrack.internal.TagTable;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Where the time of a tracking-off pair goes: a bare {@code malloc}+{@code free} pair (the same
 * critical downcalls as {@link AllocFreeBenchmark#raw}) with one part of PoolTrack's tracking-off
 * path added at a time, each done the way the engine does it, in nanoseconds per pair. A part's cost
 * is its row minus {@link #raw} from the same run.
 *
 * <p>Single-threaded as a class, as JMH expects. Run, from the repository root:
 *
 * <pre>{@code
 * ./mvnw -B -q -ntp -pl pooltrack-bench -am package -DskipTests
 * java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *   -jar pooltrack-bench/target/benchmarks.jar HotPathParts -t 1 -f 1 -wi 3 -w 1s -i 5 -r 1s \
 *   -jvmArgsAppend "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@SuppressWarnings("restricted") // the whole address space, as PoolTrack reaches its pool headers
public class HotPathPartsBenchmark {

    private static final long BYTES = 64;
    private static final int HEADER = 16;
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final int TAG = 0x68636E42; // "Bnch"

    private final ThreadLocal<long[]> local = ThreadLocal.withInitial(() -> new long[64]);
    private final PoolCounters counters = new PoolCounters();
    private final TagTable tags = new TagTable();

    {
        tags.register(TAG);
    }

    private static long malloc(long bytes) throws Throwable {
        return (long) AllocFreeBenchmark.MALLOC.invokeExact(bytes);
    }

    private static void free(long address) throws Throwable {
        AllocFreeBenchmark.FREE.invokeExact(address);
    }

    /** The baseline: {@code malloc(64)} and {@code free}. */
    @Benchmark
    public long raw() throws Throwable {
        long a = malloc(BYTES);
        free(a);
        return a;
    }

    /** Sixteen bytes more from {@code malloc}, as a pool header takes. */
    @Benchmark
    public long headerBytes() throws Throwable {
        long a = malloc(BYTES + HEADER);
        free(a);
        return a;
    }

    /** Two header words written and read back, the magic byte cleared, through the whole-address-space segment. */
    @Benchmark
    public long headerWords() throws Throwable {
        long a = malloc(BYTES + HEADER);
        EVERYTHING.set(ValueLayout.JAVA_LONG_UNALIGNED, a, 0xA700_0001_0000_0000L | TAG);
        EVERYTHING.set(ValueLayout.JAVA_LONG_UNALIGNED, a + 8, BYTES);
        long w = EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, a);
        long n = EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, a + 8);
        EVERYTHING.set(ValueLayout.JAVA_BYTE, a + 7, (byte) 0);
        free(a);
        return w + n;
    }

    /** A {@code ThreadLocal} lookup on allocate and again on free, as the counter cell was found. */
    @Benchmark
    public long threadLocalTwice() throws Throwable {
        long[] c1 = local.get();
        long a = malloc(BYTES);
        long[] c2 = local.get();
        free(a);
        return a + c1.length + c2.length;
    }

    /** The counter cell found on allocate and on free, the way PoolCounters finds it now. */
    @Benchmark
    public long cellTwice() throws Throwable {
        PoolCounters.Cell c1 = counters.cell();
        long a = malloc(BYTES);
        PoolCounters.Cell c2 = counters.cell();
        free(a);
        return a + (c1 == c2 ? 1 : 0);
    }

    /** The four per-tag counter updates of a pair (allocs and bytes on allocate, frees and bytes on free). */
    @Benchmark
    public long counterUpdates() throws Throwable {
        PoolCounters.Cell c = counters.cell();
        long a = malloc(BYTES);
        counters.onAllocate(c, 0, 0, BYTES);
        counters.onFree(c, 0, 0, BYTES);
        free(a);
        return a;
    }

    /** The tag's counter index looked up in the tag table. */
    @Benchmark
    public long tagLookup() throws Throwable {
        long a = malloc(BYTES);
        int i = tags.indexOf(TAG);
        free(a);
        return a + i;
    }

    /** The allocation made in a method compiled out of line, as PoolTrack.allocateFast is. */
    @Benchmark
    public long outOfLineCall() throws Throwable {
        long a = mallocOutOfLine(BYTES);
        free(a);
        return a;
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private static long mallocOutOfLine(long bytes) throws Throwable {
        return malloc(bytes);
    }
}
