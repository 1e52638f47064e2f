package dev.pooltrack.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the PoolTrack agent costs an unmodified program: an allocateDirect-heavy, an Arena-heavy and a
 * malloc-through-Linker workload (allocation and free on the measured thread), in nanoseconds per
 * operation. {@link AgentOverhead} runs them in four JVM configurations
 * (no agent, per-tag counters only, Pool Tracking with call sites, all stacks) and prints the table.
 *
 * <p>Thread-safe (no state): JMH runs each benchmark on one thread here.
 *
 * <p>Run, from the repository root (one command, all four configurations):
 *
 * <pre>{@code
 * ./mvnw -B -q -ntp -pl pooltrack-agent,pooltrack-bench -am package -DskipTests
 * java --sun-misc-unsafe-memory-access=allow -cp pooltrack-bench/target/benchmarks.jar \
 *     dev.pooltrack.bench.AgentOverhead pooltrack-agent/target/pooltrack-agent.jar
 * }</pre>
 *
 * <p>The downcall workloads alone, as in the README's downcall table: append {@code 1 3 5 'downcall.*'}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AgentOverheadBenchmark {

    /* allocateDirect: one 4 KiB direct buffer per operation, freed at once through its cleaner, as
     * Netty and other pooling libraries free direct buffers. Leaving the free to the GC would measure
     * the GC: the direct-memory limit is reached long before a young collection, and
     * Bits.reserveMemory then forces full collections and sleeps, so the figures swing by 100x
     * between iterations. The forked JVM exports sun.nio.ch and jdk.internal.ref for the cleaner.
     * Arena: a confined arena per operation with four 1 KiB segments, then close: the allocation and
     * the free both run on the measured thread, four times each.
     * Downcalls: malloc(64) and free through Linker downcall handles made the way Netty 4.2 makes
     * them (JAVA_LONG addresses, no linker option). The agent gives MALLOC and FREE its reports; the
     * untracked pair, made through the unbound downcallHandle(FunctionDescriptor) form that the agent
     * leaves alone and bound with insertArguments, is the same call without them, in the same JVM.
     * The forked JVMs enable native access for the benchmark's module. */

    static final int DIRECT_BYTES = 4096;
    static final int SEGMENT_BYTES = 1024;
    static final long MALLOC_BYTES = 64;

    /** The JVM options the forked JVMs need for {@link #allocateDirect} and the downcalls. */
    static final String[] EXPORTS = {
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"
    };

    private static final MethodHandle MALLOC;
    private static final MethodHandle FREE;
    private static final MethodHandle MALLOC_UNTRACKED;
    private static final MethodHandle FREE_UNTRACKED;

    static {
        Linker linker = Linker.nativeLinker();
        MemorySegment malloc = linker.defaultLookup().findOrThrow("malloc");
        MemorySegment free = linker.defaultLookup().findOrThrow("free");
        FunctionDescriptor mallocType = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
        FunctionDescriptor freeType = FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG);
        MALLOC = downcall(linker, malloc, mallocType);
        FREE = downcall(linker, free, freeType);
        MALLOC_UNTRACKED = MethodHandles.insertArguments(unbound(linker, mallocType), 0, malloc);
        FREE_UNTRACKED = MethodHandles.insertArguments(unbound(linker, freeType), 0, free);
    }

    @SuppressWarnings("restricted")
    private static MethodHandle downcall(Linker linker, MemorySegment symbol, FunctionDescriptor type) {
        return linker.downcallHandle(symbol, type);
    }

    @SuppressWarnings("restricted")
    private static MethodHandle unbound(Linker linker, FunctionDescriptor type) {
        return linker.downcallHandle(type);
    }

    private static final MethodHandle CLEAN;

    static {
        MethodHandle clean;
        try {
            Class<?> directBuffer = Class.forName("sun.nio.ch.DirectBuffer");
            Class<?> cleaner = Class.forName("jdk.internal.ref.Cleaner");
            MethodHandles.Lookup l = MethodHandles.lookup(); // exported to ALL-UNNAMED only: not publicLookup
            MethodHandle getCleaner = l.findVirtual(directBuffer, "cleaner", MethodType.methodType(cleaner));
            MethodHandle run = l.findVirtual(cleaner, "clean", MethodType.methodType(void.class));
            clean = MethodHandles.filterReturnValue(getCleaner, run)
                    .asType(MethodType.methodType(void.class, ByteBuffer.class));
        } catch (ReflectiveOperationException | IllegalAccessError e) {
            clean = null; // not exported: allocateDirect says so when it runs
        }
        CLEAN = clean;
    }

    /** One direct buffer, freed through its cleaner. */
    @Benchmark
    public void allocateDirect(Blackhole bh) throws Throwable {
        ByteBuffer b = ByteBuffer.allocateDirect(DIRECT_BYTES);
        bh.consume(b);
        clean(b);
    }

    /** Frees a direct buffer now, through its cleaner (the JVM needs {@link #EXPORTS}). */
    static void clean(ByteBuffer b) throws Throwable {
        if (CLEAN == null) {
            throw new IllegalStateException("run with " + String.join(" ", EXPORTS));
        }
        CLEAN.invokeExact(b);
    }

    /** A confined arena, four segments, closed. */
    @Benchmark
    public void arena(Blackhole bh) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(SEGMENT_BYTES);
            MemorySegment b = arena.allocate(SEGMENT_BYTES);
            MemorySegment c = arena.allocate(SEGMENT_BYTES);
            MemorySegment d = arena.allocate(SEGMENT_BYTES);
            bh.consume(a);
            bh.consume(b);
            bh.consume(c);
            bh.consume(d);
        }
    }

    /** malloc(64) and free through the downcall handles the agent watches. */
    @Benchmark
    public void downcall() throws Throwable {
        long p = (long) MALLOC.invokeExact(MALLOC_BYTES);
        FREE.invokeExact(p);
    }

    /** The same malloc(64) and free through handles the agent leaves alone: the raw cost in this JVM. */
    @Benchmark
    public void downcallUntracked() throws Throwable {
        long p = (long) MALLOC_UNTRACKED.invokeExact(MALLOC_BYTES);
        FREE_UNTRACKED.invokeExact(p);
    }
}
