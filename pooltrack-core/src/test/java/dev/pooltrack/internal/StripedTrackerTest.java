package dev.pooltrack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StripedTrackerTest extends TrackerContractTest {

    @Override
    Tracker newTracker() {
        return new StripedTracker();
    }

    @Test
    void withoutPerDriverCounters_keepsRecordsAndCountsNothingPerDriver() {
        StripedTracker t = new StripedTracker(false);
        t.track(0x1000, 64, 0x6B61654C, 1, 3, 7, 1, 0);
        long[] c = new long[Tracker.DRIVER_COUNTERS];
        t.driverCounters(3, c);
        assertThat(c).containsOnly(0L);
        long[] record = new long[2];
        long info = t.untrack(0x1000, record);
        assertThat(Tracker.infoSize(info)).isEqualTo(64);
        assertThat(Tracker.infoDriver(info)).isEqualTo(3);
        assertThat(Tracker.infoPoolType(info)).isEqualTo(1);
        assertThat(record[1]).isEqualTo((0x6B61654CL << 32) | 7);
        t.driverCounters(3, c);
        assertThat(c).containsOnly(0L);
    }

    @Test
    void footprint_oneMillionRecords_atMost48BytesEach() {
        StripedTracker t = new StripedTracker();
        long base = 0x7f00_0000_0000L;
        for (int i = 0; i < 1_000_000; i++) {
            t.track(base + i * 48L, 64, 0x6B61654C, 0, 1, 0, 1, 0);
        }
        double perRecord = (double) t.footprintBytes() / t.size();
        assertThat(t.size()).isEqualTo(1_000_000);
        assertThat(perRecord).isLessThanOrEqualTo(48.0);
    }

    @Test
    void manyUntracks_tombstonesAreDroppedAndTableDoesNotGrowWithoutBound() {
        StripedTracker t = new StripedTracker();
        for (int round = 0; round < 200; round++) {
            for (int i = 0; i < 1000; i++) {
                t.track((round * 1000L + i + 1) * 16, 8, 1, 0, 0, 0, 0, 0);
            }
            for (int i = 0; i < 1000; i++) {
                t.untrack((round * 1000L + i + 1) * 16);
            }
        }
        assertThat(t.size()).isZero();
        // 64 segments; tombstones of 200k frees must not have grown the table past a few thousand slots
        assertThat(t.footprintBytes()).isLessThan(64L * 1024 * 32);
    }
}
