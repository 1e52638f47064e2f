package dev.pooltrack.bench;

import dev.pooltrack.Driver;
import dev.pooltrack.PoolType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of tracking one buffer's life — allocate 64 bytes, write and read a few of them, free —
 * with PoolTrack and with the leak detectors of Netty and Apache Arrow, each with detection and
 * allocation stacks on and off, against an untracked {@code malloc}+{@code free} in the same run. In
 * nanoseconds per buffer. {@link PeerComparison} runs it (with the agent configurations of {@link
 * #directBuffer}) and prints the table in the README.
 *
 * <p>Not thread-safe as a class, as JMH expects; each benchmark runs on one thread in a JVM of its
 * own, so the JVM-wide switches (Netty's level, Arrow's debug property) never meet.
 *
 * <p>Run, from the repository root:
 *
 * <pre>{@code
 * ./mvnw -B -q -ntp -pl pooltrack-agent,pooltrack-bench -am package -DskipTests
 * flock /tmp/pooltrack-jmh.lock java --sun-misc-unsafe-memory-access=allow -Djmh.ignoreLock=true \
 *     -cp pooltrack-bench/target/benchmarks.jar dev.pooltrack.bench.PeerComparison \
 *     pooltrack-agent/target/pooltrack-agent.jar 1 3 5
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@SuppressWarnings("restricted") // the untracked baseline gives its malloc address a size
public class PeerBenchmark {

    /* What each tool's "on" and "off" are:
     * - PoolTrack API: a driver verified with Pool Tracking (0x8) and call sites found in a stack captured
     *   per allocation (on), the same with a call site registered once (what the agent's injected
     *   site ids give), with call sites off, and a driver that is not verified (per-tag counters
     *   only: off). The buffer is the MemorySegment Driver.allocate returns, freed with free().
     * - PoolTrack agent: ByteBuffer.allocateDirect freed through its cleaner, run by PeerComparison in
     *   JVMs without the agent, with it and no driver verified, with Pool Tracking and call sites,
     *   and with Pool Tracking and stacks=all (a whole stack per allocation).
     * - Netty: UnpooledByteBufAllocator direct buffers (a real allocation and free per buffer, as
     *   the other tools make) at PARANOID (every buffer tracked: a creation record and one more record
     *   per access, each a Throwable) and DISABLED; and PooledByteBufAllocator the same, the allocator
     *   Netty applications use, where the allocation itself is cheap and the tracking is not.
     * - Arrow: a RootAllocator on the Unsafe allocation manager, ArrowBuf closed after use; debug mode
     *   (-Darrow.memory.debug.allocator=true, read once when BaseAllocator loads, hence the JVM
     *   option on the fork) records a stack per buffer event in its HistoricalLog.
     * The "use" is one 8-byte write at the start, one 4-byte write at the end and both read back,
     * through each tool's own accessors (Netty records accesses at PARANOID, so this is part of its
     * cost). */

    static final int BYTES = 64;
    static final long LONG_VALUE = 0x0102030405060708L;
    static final int INT_VALUE = 0x0A0B0C0D;

    /** Writes and reads the buffer's first eight and last four bytes. */
    static long use(MemorySegment s) {
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, LONG_VALUE);
        s.set(ValueLayout.JAVA_INT_UNALIGNED, BYTES - 4, INT_VALUE);
        return s.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) + s.get(ValueLayout.JAVA_INT_UNALIGNED, BYTES - 4);
    }

    /** Netty's allocators with the leak detector at the level a subclass gives. */
    public abstract static class NettyState {
        ByteBufAllocator unpooled;
        ByteBufAllocator pooled;

        abstract ResourceLeakDetector.Level level();

        @Setup(Level.Trial)
        public void setUp() {
            ResourceLeakDetector.setLevel(level());
            unpooled = new UnpooledByteBufAllocator(true);
            pooled = new PooledByteBufAllocator(true);
        }
    }

    /** Netty with leak detection at PARANOID: every buffer tracked, with records. */
    @State(Scope.Benchmark)
    public static class NettyParanoid extends NettyState {
        @Override
        ResourceLeakDetector.Level level() {
            return ResourceLeakDetector.Level.PARANOID;
        }
    }

    /** Netty with leak detection DISABLED. */
    @State(Scope.Benchmark)
    public static class NettyDisabled extends NettyState {
        @Override
        ResourceLeakDetector.Level level() {
            return ResourceLeakDetector.Level.DISABLED;
        }
    }

    /** An Arrow root allocator on the Unsafe allocation manager; debug mode is the JVM's option. */
    public abstract static class ArrowState {
        BufferAllocator root;

        abstract boolean debug();

        @Setup(Level.Trial)
        public void open() {
            if (RootAllocator.isDebug() != debug()) {
                throw new IllegalStateException("Arrow's debug mode is " + RootAllocator.isDebug()
                        + ": run this benchmark with -Darrow.memory.debug.allocator=" + debug());
            }
            root = new RootAllocator(RootAllocator.configBuilder()
                    .allocationManagerFactory(UnsafeAllocationManager.FACTORY)
                    .maxAllocation(Long.MAX_VALUE)
                    .build());
        }

        /** Closes the allocator: an ArrowBuf left open would throw here. */
        @TearDown(Level.Trial)
        public void close() {
            root.close();
        }
    }

    /** Arrow with debug mode off (the default). */
    @State(Scope.Benchmark)
    public static class ArrowDebugOff extends ArrowState {
        @Override
        boolean debug() {
            return false;
        }
    }

    /** Arrow with debug mode on: each buffer event recorded with its stack. */
    @State(Scope.Benchmark)
    public static class ArrowDebugOn extends ArrowState {
        @Override
        boolean debug() {
            return true;
        }
    }

    /** Untracked: malloc, write and read, free (critical downcalls, as PoolTrack's own backend). */
    @Benchmark
    public long rawMalloc() throws Throwable {
        long a = (long) AllocFreeBenchmark.MALLOC.invokeExact((long) BYTES);
        long r = use(MemorySegment.ofAddress(a).reinterpret(BYTES));
        AllocFreeBenchmark.FREE.invokeExact(a);
        return r;
    }

    /** PoolTrack, driver not verified (per-tag counters only). */
    @Benchmark
    public long poolTrackOff(AllocFreeBenchmark.Off s) {
        return poolTrack(s.driver);
    }

    /** PoolTrack, Pool Tracking on, call sites off. */
    @Benchmark
    public long poolTrackNoCallSites(AllocFreeBenchmark.OnNoCallSites s) {
        return poolTrack(s.driver);
    }

    /** PoolTrack, Pool Tracking on, call site from a stack captured per allocation (resolved when read). */
    @Benchmark
    public long poolTrackStackWalk(AllocFreeBenchmark.OnCallSites s) {
        return poolTrack(s.driver);
    }

    /** PoolTrack, Pool Tracking on, call site registered once. */
    @Benchmark
    public long poolTrackRegisteredSite(AllocFreeBenchmark.OnRegisteredSite s) {
        MemorySegment m = s.driver.allocate(PoolType.NON_PAGED, BYTES, AllocFreeBenchmark.TAG, s.site);
        long r = use(m);
        s.driver.free(m);
        return r;
    }

    private static long poolTrack(Driver driver) {
        MemorySegment m = driver.allocate(PoolType.NON_PAGED, BYTES, AllocFreeBenchmark.TAG);
        long r = use(m);
        driver.free(m);
        return r;
    }

    /** ByteBuffer.allocateDirect, write and read, freed through its cleaner: run with and without the agent. */
    @Benchmark
    public long directBuffer() throws Throwable {
        ByteBuffer b = ByteBuffer.allocateDirect(BYTES);
        b.putLong(0, LONG_VALUE).putInt(BYTES - 4, INT_VALUE);
        long r = b.getLong(0) + b.getInt(BYTES - 4);
        AgentOverheadBenchmark.clean(b);
        return r;
    }

    /** Netty unpooled direct buffer, leak detection PARANOID. */
    @Benchmark
    public long nettyUnpooledParanoid(NettyParanoid s) {
        return netty(s.unpooled);
    }

    /** Netty unpooled direct buffer, leak detection DISABLED. */
    @Benchmark
    public long nettyUnpooledDisabled(NettyDisabled s) {
        return netty(s.unpooled);
    }

    /** Netty pooled direct buffer, leak detection PARANOID. */
    @Benchmark
    public long nettyPooledParanoid(NettyParanoid s) {
        return netty(s.pooled);
    }

    /** Netty pooled direct buffer, leak detection DISABLED. */
    @Benchmark
    public long nettyPooledDisabled(NettyDisabled s) {
        return netty(s.pooled);
    }

    private static long netty(ByteBufAllocator allocator) {
        ByteBuf b = allocator.directBuffer(BYTES, BYTES);
        b.setLong(0, LONG_VALUE).setInt(BYTES - 4, INT_VALUE);
        long r = b.getLong(0) + b.getInt(BYTES - 4);
        b.release();
        return r;
    }

    /** Arrow, debug mode off (the default). */
    @Benchmark
    @Fork(jvmArgsPrepend = "-Darrow.memory.debug.allocator=false")
    public long arrowDebugOff(ArrowDebugOff s) {
        return arrow(s.root);
    }

    /** Arrow, debug mode on: a stack per buffer event. */
    @Benchmark
    @Fork(jvmArgsPrepend = "-Darrow.memory.debug.allocator=true")
    public long arrowDebugOn(ArrowDebugOn s) {
        return arrow(s.root);
    }

    private static long arrow(BufferAllocator allocator) {
        try (ArrowBuf b = allocator.buffer(BYTES)) {
            b.setLong(0, LONG_VALUE);
            b.setInt(BYTES - 4, INT_VALUE);
            return b.getLong(0) + b.getInt(BYTES - 4);
        }
    }
}
