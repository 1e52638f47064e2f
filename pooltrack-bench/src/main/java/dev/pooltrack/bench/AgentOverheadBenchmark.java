package dev.pooltrack.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the PoolTrack agent costs an unmodified program: an allocateDirect-heavy and an Arena-heavy
 * workload, in nanoseconds per operation. {@link AgentOverhead} runs them in four JVM configurations
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

    /* allocateDirect: one 4 KiB direct buffer per operation, freed later by the GC's reference
     * processing and the cleaner (as in a program that allocates direct buffers per request). The
     * figure includes that amortised cost, with and without the agent (whose free hook runs on the
     * cleaner thread). Arena: a confined arena per operation with four 1 KiB segments, then close: the
     * allocation and the free both run on the measured thread, four times each. */

    static final int DIRECT_BYTES = 4096;
    static final int SEGMENT_BYTES = 1024;

    /** One direct buffer. */
    @Benchmark
    public ByteBuffer allocateDirect() {
        return ByteBuffer.allocateDirect(DIRECT_BYTES);
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
