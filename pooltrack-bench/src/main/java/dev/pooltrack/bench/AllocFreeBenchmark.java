package dev.pooltrack.bench;

import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Response;
import dev.pooltrack.Tag;
import dev.pooltrack.VerifierSettings;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The hot path: one allocate + free pair of 64 bytes, raw FFM against PoolTrack with Pool Tracking
 * off and on, in nanoseconds per pair. Every PoolTrack figure is read as a ratio to {@link #raw}
 * from the same run (DESIGN.md "Quality bars": on ≤ 1.5x, off ≤ 1.1x, no heap allocation per pair).
 *
 * <p>Not thread-safe as a class, as JMH expects: each state is shared by the benchmark's threads,
 * which is the point at two threads (one driver, allocations from several threads).
 *
 * <p>Run, from the repository root, once per thread count (the figures in README.md):
 *
 * <pre>{@code
 * ./mvnw -B -q -ntp -pl pooltrack-bench -am package -DskipTests
 * for t in 1 2; do
 *   java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *     -jar pooltrack-bench/target/benchmarks.jar AllocFree -t $t -prof gc \
 *     -f 1 -wi 3 -w 1s -i 5 -r 1s \
 *     -jvmArgsAppend "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
 * done
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@SuppressWarnings("restricted") // the raw baselines make their own downcall handles
public class AllocFreeBenchmark {

    /* The raw baseline is made exactly as PoolTrack's NativeMemory makes its handles (critical(false),
     * JAVA_LONG addresses) but written out here, so that the baseline does not move if the engine's
     * backend changes. rawSegment is the hand-written FFM most users would write instead: default
     * downcalls, ADDRESS-typed, and a reinterpret to give the segment its size. */

    static final long BYTES = 64;
    static final String DRIVER = "bench";
    static final Tag TAG = Tag.of("Bnch");

    /** {@code malloc(long)} and {@code free(long)}: critical downcalls with {@code long} addresses. */
    static final MethodHandle MALLOC;

    static final MethodHandle FREE;
    private static final MethodHandle MALLOC_SEGMENT;
    private static final MethodHandle FREE_SEGMENT;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        MemorySegment malloc = libc.findOrThrow("malloc");
        MemorySegment free = libc.findOrThrow("free");
        Linker.Option critical = Linker.Option.critical(false);
        MALLOC = linker.downcallHandle(
                malloc, FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), critical);
        FREE = linker.downcallHandle(free, FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG), critical);
        MALLOC_SEGMENT =
                linker.downcallHandle(malloc, FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        FREE_SEGMENT = linker.downcallHandle(free, FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    /** A pool with one loaded driver, built per trial from the settings a subclass gives. */
    public abstract static class PoolState {
        PoolTrack pool;
        Driver driver;

        abstract VerifierSettings settings();

        @Setup(Level.Trial)
        public void load() {
            pool = PoolTrack.create(settings().withResponse(Response.THROW));
            driver = pool.load(DRIVER);
            loaded();
        }

        void loaded() {}

        /** Unloads the driver: a pair that leaked would raise 0xC4/0x62 here (Response.THROW). */
        @TearDown(Level.Trial)
        public void unload() {
            driver.unload();
        }
    }

    /** A driver that is not verified: per-tag counters only. */
    @State(Scope.Benchmark)
    public static class Off extends PoolState {
        @Override
        VerifierSettings settings() {
            return VerifierSettings.none();
        }
    }

    /** A driver verified with Pool Tracking, call sites off. */
    @State(Scope.Benchmark)
    public static class OnNoCallSites extends PoolState {
        @Override
        VerifierSettings settings() {
            return VerifierSettings.poolTracking(DRIVER).withCallSites(false);
        }
    }

    /** A driver verified with Pool Tracking, call sites on: a stack captured per allocation, dropped at its free. */
    @State(Scope.Benchmark)
    public static class OnCallSites extends PoolState {
        @Override
        VerifierSettings settings() {
            return VerifierSettings.poolTracking(DRIVER).withCallSites(true);
        }
    }

    /** As {@link OnCallSites}, with the benchmark's call site registered once up front. */
    @State(Scope.Benchmark)
    public static class OnRegisteredSite extends PoolState {
        Driver.CallSiteId site;

        @Override
        VerifierSettings settings() {
            return VerifierSettings.poolTracking(DRIVER).withCallSites(true);
        }

        @Override
        void loaded() {
            site = pool.callSiteHere();
        }
    }

    /** malloc + free through critical downcalls with {@code long} addresses: the baseline. */
    @Benchmark
    public long raw() throws Throwable {
        long a = (long) MALLOC.invokeExact(BYTES);
        FREE.invokeExact(a);
        return a;
    }

    /** malloc + reinterpret + free through default downcalls with segments: hand-written FFM. */
    @Benchmark
    public long rawSegment() throws Throwable {
        MemorySegment s = ((MemorySegment) MALLOC_SEGMENT.invokeExact(BYTES)).reinterpret(BYTES);
        FREE_SEGMENT.invokeExact(s);
        return s.address();
    }

    /** Tracking off, bare addresses. */
    @Benchmark
    public long trackingOff(Off s) {
        long a = s.driver.allocateAddress(PoolType.NON_PAGED, BYTES, TAG);
        s.driver.freeAddress(a);
        return a;
    }

    /** Tracking off, segments. */
    @Benchmark
    public long trackingOffSegment(Off s) {
        MemorySegment m = s.driver.allocate(PoolType.NON_PAGED, BYTES, TAG);
        s.driver.free(m);
        return m.address();
    }

    /** Pool Tracking on without call sites, bare addresses. */
    @Benchmark
    public long trackingOnNoCallSites(OnNoCallSites s) {
        long a = s.driver.allocateAddress(PoolType.NON_PAGED, BYTES, TAG);
        s.driver.freeAddress(a);
        return a;
    }

    /** Pool Tracking on without call sites, segments. */
    @Benchmark
    public long trackingOnNoCallSitesSegment(OnNoCallSites s) {
        MemorySegment m = s.driver.allocate(PoolType.NON_PAGED, BYTES, TAG);
        s.driver.free(m);
        return m.address();
    }

    /** Pool Tracking on with call sites: each allocation walks the stack to find its caller. */
    @Benchmark
    public long trackingOnCallSites(OnCallSites s) {
        long a = s.driver.allocateAddress(PoolType.NON_PAGED, BYTES, TAG);
        s.driver.freeAddress(a);
        return a;
    }

    /** Pool Tracking on with call sites, the site registered once and passed on each allocation. */
    @Benchmark
    public long trackingOnRegisteredSite(OnRegisteredSite s) {
        MemorySegment m = s.driver.allocate(PoolType.NON_PAGED, BYTES, TAG, s.site);
        s.driver.free(m);
        return m.address();
    }
}
