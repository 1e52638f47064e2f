package dev.pooltrack.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * What the PoolTrack agent costs an unmodified program: an allocateDirect-heavy and an Arena-heavy
 * workload (allocation and free on the measured thread), in nanoseconds per operation. {@link AgentOverhead} runs them in four JVM configurations
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
     * the free both run on the measured thread, four times each. */

    static final int DIRECT_BYTES = 4096;
    static final int SEGMENT_BYTES = 1024;

    /** The JVM options the forked JVMs need for {@link #allocateDirect}. */
    static final String[] EXPORTS = {
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"
    };

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
}
