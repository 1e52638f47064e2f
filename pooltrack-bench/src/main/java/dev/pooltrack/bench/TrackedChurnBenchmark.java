package dev.pooltrack.bench;

import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Response;
import dev.pooltrack.VerifierSettings;
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
 * Pool Tracking with many blocks outstanding: each thread keeps 256 blocks of mixed sizes and, per
 * operation, frees its oldest and allocates one of another size, so the new block is rarely at the
 * address just freed (unlike {@link AllocFreeBenchmark}, where {@code malloc} hands the same block
 * back each time). This is the case where a free leaves the driver's counter headroom in one record
 * segment and the next allocation lands in another. Nanoseconds per free + allocate.
 *
 * <p>Run, from the repository root:
 *
 * <pre>{@code
 * ./mvnw -B -q -ntp -pl pooltrack-bench -am package -DskipTests
 * for t in 1 2; do
 *   java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *     -jar pooltrack-bench/target/benchmarks.jar TrackedChurn -t $t -f 1 -wi 3 -w 1s -i 5 -r 1s \
 *     -jvmArgsAppend "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
 * done
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TrackedChurnBenchmark {

    private static final int OUTSTANDING = 256;

    /** One pool and one verified driver (call sites off) for all threads. */
    @State(Scope.Benchmark)
    public static class Pool {
        PoolTrack pool;
        Driver driver;

        @Setup(Level.Trial)
        public void load() {
            pool = PoolTrack.create(VerifierSettings.poolTracking(AllocFreeBenchmark.DRIVER)
                    .withCallSites(false)
                    .withResponse(Response.THROW));
            driver = pool.load(AllocFreeBenchmark.DRIVER);
        }
    }

    /** A thread's outstanding blocks; the oldest is at {@code operations % OUTSTANDING}. */
    @State(Scope.Thread)
    public static class Ring {
        final long[] blocks = new long[OUTSTANDING];
        int operations;
        Driver driver;

        @Setup(Level.Trial)
        public void fill(Pool p) {
            driver = p.driver;
            for (int i = 0; i < OUTSTANDING; i++) {
                blocks[i] = driver.allocateAddress(PoolType.NON_PAGED, size(operations++), AllocFreeBenchmark.TAG);
            }
        }

        @TearDown(Level.Trial)
        public void empty() {
            for (long b : blocks) {
                driver.freeAddress(b);
            }
        }
    }

    /**
     * The size of the {@code n}th allocation, 16 to 240 bytes: never the size of the block it
     * replaces (allocation n - 256), so {@code malloc} does not hand back the block just freed.
     */
    private static long size(int n) {
        return 16 + ((n & 0x7FFF_FFFF) * 7 % 15) * 16L;
    }

    /** Frees the oldest block and allocates one of another size in its place. */
    @Benchmark
    public long freeOldestAllocateNew(Ring r) {
        int n = r.operations++;
        int i = n & (OUTSTANDING - 1);
        r.driver.freeAddress(r.blocks[i]);
        long a = r.driver.allocateAddress(PoolType.NON_PAGED, size(n), AllocFreeBenchmark.TAG);
        r.blocks[i] = a;
        return a;
    }
}
