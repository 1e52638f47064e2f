package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.internal.Tracker;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code outstanding(driver, limit)}: the biggest allocations, as a sort of all of them would pick. */
class OutstandingLimitTest {

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Arguments tracker : PoolTrackTest.trackers().toList()) {
            for (long seed : new long[] {1, 2, 3, 42}) {
                for (int limit : new int[] {1, 7, 50, 199, 200, 201, 1000}) {
                    cases.add(Arguments.of(tracker.get()[0], tracker.get()[1], seed, limit));
                }
            }
        }
        return cases.stream();
    }

    /** What outstanding(driver, limit) returned before it kept a heap: sort all by length, keep limit. */
    private static List<OutstandingAllocation> bySortingAll(PoolTrack pool, String driver, int limit) {
        return pool.outstanding(driver).stream() // by address
                .sorted(Comparator.comparingLong(OutstandingAllocation::length).reversed()) // stable
                .limit(limit)
                .sorted(Comparator.comparingLong(OutstandingAllocation::address))
                .toList();
    }

    @ParameterizedTest(name = "{0} seed {2} limit {3}")
    @MethodSource("cases")
    @SuppressWarnings("unused") // name labels the case
    void outstandingLimit_randomSizesWithTies_keepsWhatSortingAllKeeps(
            String name, Supplier<Tracker> tracker, long seed, int limit) {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("a", "b"), tracker.get());
        Driver a = pool.load("a");
        Driver b = pool.load("b");
        Random random = new Random(seed);
        List<Long> held = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Driver d = random.nextInt(4) == 0 ? b : a;
            long bytes = 16 + 16L * random.nextInt(8); // few sizes: many ties
            long address =
                    d.allocateAddress(random.nextBoolean() ? PoolType.NON_PAGED : PoolType.PAGED, bytes, Tag.of("Lim"));
            if (random.nextInt(5) == 0) {
                d.freeAddress(address);
            } else {
                held.add(address);
            }
        }

        for (String driver : new String[] {null, "a", "b"}) {
            List<OutstandingAllocation> kept = pool.outstanding(driver, limit);

            assertThat(kept).as("driver %s", driver).isEqualTo(bySortingAll(pool, driver, limit));
            assertThat(kept).isSortedAccordingTo(Comparator.comparingLong(OutstandingAllocation::address));
        }
        assertThat(pool.outstanding(null, 0)).isEqualTo(pool.outstanding(null)).hasSize(held.size());
    }
}
