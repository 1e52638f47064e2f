package dev.pooltrack.bench;

import dev.pooltrack.Driver;
import dev.pooltrack.LowResourcesSimulation;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import dev.pooltrack.TagPattern;
import dev.pooltrack.Tenant;
import dev.pooltrack.VerifierFlags;
import dev.pooltrack.VerifierSettings;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What Low Resources Simulation and quota cost when they are on: one 64-byte allocate + free pair
 * of a driver under Pool Tracking (call sites off), against the same pair with 0x4 on and with an
 * allocation charged to a tenant, and against a raw {@code malloc}+{@code free} downcall pair, in
 * one run. Read each figure as a ratio to {@link AllocFreeBenchmark#raw} of the same run.
 *
 * <p>Run, from the repository root:
 *
 * <pre>{@code
 * ./mvnw -B -q -ntp -pl pooltrack-bench -am package -DskipTests
 * java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *   -jar pooltrack-bench/target/benchmarks.jar 'LowResourcesBenchmark|AllocFreeBenchmark.raw$' \
 *   -f 1 -wi 3 -w 1s -i 5 -r 1s \
 *   -jvmArgsAppend "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LowResourcesBenchmark {

    static final Tag OTHER = Tag.of("Othr");

    /** Pool Tracking, call sites off: the reference the others add to. */
    @State(Scope.Benchmark)
    public static class Tracking extends AllocFreeBenchmark.PoolState {
        @Override
        VerifierSettings settings() {
            return VerifierSettings.poolTracking(AllocFreeBenchmark.DRIVER).withCallSites(false);
        }
    }

    /**
     * 0x4 on with a tag filter that the benchmark's tag does not match: the allocation goes the slow
     * way and is never failed (the cost of routing and the tag check).
     */
    @State(Scope.Benchmark)
    public static class FaultsOtherTag extends AllocFreeBenchmark.PoolState {
        @Override
        VerifierSettings settings() {
            return withFaults(LowResourcesSimulation.defaults().withTags(List.of(TagPattern.parse("Othr"))));
        }
    }

    /** 0x4 on for the benchmark's tag at 1 in 10,000: a random draw per allocation, almost none failed. */
    @State(Scope.Benchmark)
    public static class FaultsDraw extends AllocFreeBenchmark.PoolState {
        @Override
        VerifierSettings settings() {
            return withFaults(LowResourcesSimulation.defaults().withProbability(1));
        }
    }

    /** Pool Tracking without call sites and 0x4 with {@code faults}, no delay, a fixed seed. */
    static VerifierSettings withFaults(LowResourcesSimulation faults) {
        return VerifierSettings.poolTracking(AllocFreeBenchmark.DRIVER)
                .withCallSites(false)
                .withFlags(VerifierFlags.POOL_TRACKING | VerifierFlags.LOW_RESOURCES_SIMULATION)
                .withLowResources(faults.withDelayMinutes(0).withSeed(1));
    }

    /** A tenant with a quota far above what the benchmark holds. */
    @State(Scope.Benchmark)
    public static class Quota extends Tracking {
        final Tenant tenant = Tenant.of("bench-tenant", Long.MAX_VALUE / 2);
    }

    @Benchmark
    public long tracking(Tracking s) {
        return pair(s.driver);
    }

    @Benchmark
    public long faultsOtherTag(FaultsOtherTag s) {
        return pair(s.driver);
    }

    @Benchmark
    public long faultsDraw(FaultsDraw s) {
        return pair(s.driver);
    }

    /** allocateWithQuota + free inside the tenant's scope (the binding is made once per pair). */
    @Benchmark
    public long quota(Quota s) {
        return s.tenant.call(() -> {
            MemorySegment m = s.driver.allocateWithQuota(PoolType.NON_PAGED, AllocFreeBenchmark.BYTES, OTHER);
            s.driver.free(m);
            return m.address();
        });
    }

    private static long pair(Driver d) {
        long a = d.allocateAddress(PoolType.NON_PAGED, AllocFreeBenchmark.BYTES, AllocFreeBenchmark.TAG);
        if (a != 0) {
            d.freeAddress(a);
        }
        return a;
    }
}
