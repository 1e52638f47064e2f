package dev.pooltrack.bench;

import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Response;
import dev.pooltrack.SpecialPoolSettings;
import dev.pooltrack.Tag;
import dev.pooltrack.VerifierFlags;
import dev.pooltrack.VerifierSettings;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * What special pool and Pool Tracking's tail zone cost: one allocate + free pair of 64 bytes, in
 * nanoseconds per pair, each read as a ratio to {@link #raw} (malloc + free) from the same run.
 *
 * <p>Not thread-safe as a class, as JMH expects.
 *
 * <p>Run, from the repository root (one benchmark JVM at a time on a shared machine):
 *
 * <pre>{@code
 * ./mvnw -B -q -ntp -pl pooltrack-bench -am package -DskipTests
 * java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *   -jar pooltrack-bench/target/benchmarks.jar SpecialPool -t 1 \
 *   -f 1 -wi 3 -w 1s -i 5 -r 1s \
 *   -jvmArgsAppend "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@SuppressWarnings("restricted") // the tail-zone baseline writes through a reinterpreted segment
public class SpecialPoolBenchmark {

    /* tailZoneRaw repeats what the tail zone adds to a tracked pair, on a bare malloc block: 16 more
     * bytes, two 8-byte pattern stores after the buffer and two loads compared at free. Against raw it
     * is the mechanism's own cost; trackingOn is the whole Pool Tracking pair that carries it. */

    static final long BYTES = 64;
    static final Tag TAG = Tag.of("Bnch");
    static final String DRIVER = AllocFreeBenchmark.DRIVER;
    private static final long PATTERN = 0xC3A5_5A3C_F00D_E11AL;
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** A pool with one loaded driver, with the settings a subclass gives. */
    public abstract static class PoolState {
        PoolTrack pool;
        Driver driver;
        Driver.CallSiteId site;

        abstract VerifierSettings settings() throws Exception;

        @Setup(Level.Trial)
        public void load() throws Exception {
            pool = PoolTrack.create(settings().withResponse(Response.THROW));
            driver = pool.load(DRIVER);
            site = pool.callSiteHere();
        }

        /** Unloads the driver: a leak or a damaged block would raise here (Response.THROW). */
        @TearDown(Level.Trial)
        public void unload() {
            driver.unload();
        }
    }

    /** Pool Tracking (0x8), call sites off: normal pool with the tail zone. */
    @State(Scope.Benchmark)
    public static class Tracked extends PoolState {
        @Override
        VerifierSettings settings() {
            return VerifierSettings.poolTracking(DRIVER).withCallSites(false);
        }
    }

    /** Special pool and Pool Tracking (0x9): a page pair per allocation. */
    @State(Scope.Benchmark)
    public static class Special extends PoolState {
        @Override
        VerifierSettings settings() throws Exception {
            Path dir = Files.createTempDirectory("pooltrack-bench-sp");
            dir.toFile().deleteOnExit();
            return VerifierSettings.poolTracking(DRIVER)
                    .withFlags(VerifierFlags.SPECIAL_POOL | VerifierFlags.POOL_TRACKING)
                    .withReportDirectory(dir)
                    .withSpecialPool(SpecialPoolSettings.defaults());
        }
    }

    /** malloc + free: the baseline. */
    @Benchmark
    public long raw() throws Throwable {
        long a = (long) AllocFreeBenchmark.MALLOC.invokeExact(BYTES);
        AllocFreeBenchmark.FREE.invokeExact(a);
        return a;
    }

    /** malloc of 16 more bytes, the tail pattern written and checked, free: the tail zone alone. */
    @Benchmark
    public long tailZoneRaw() throws Throwable {
        long a = (long) AllocFreeBenchmark.MALLOC.invokeExact(BYTES + 16);
        EVERYTHING.set(ValueLayout.JAVA_LONG_UNALIGNED, a + BYTES, PATTERN);
        EVERYTHING.set(ValueLayout.JAVA_LONG_UNALIGNED, a + BYTES + 8, PATTERN);
        boolean intact = EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, a + BYTES) == PATTERN
                && EVERYTHING.get(ValueLayout.JAVA_LONG_UNALIGNED, a + BYTES + 8) == PATTERN;
        AllocFreeBenchmark.FREE.invokeExact(a);
        return intact ? a : -a;
    }

    /** Pool Tracking on, call sites off, with its tail zone: normal pool's verified pair. */
    @Benchmark
    public long trackingOn(Tracked s) {
        long a = s.driver.allocateAddress(PoolType.NON_PAGED, BYTES, TAG);
        s.driver.freeAddress(a);
        return a;
    }

    /** Special pool: mprotect, pattern fill, slot table entry; at free pattern check, mprotect, madvise. */
    @Benchmark
    public long specialPool(Special s) {
        MemorySegment m = s.driver.allocate(PoolType.NON_PAGED, BYTES, TAG, s.site);
        s.driver.free(m);
        return m.address();
    }
}
