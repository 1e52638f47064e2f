package dev.pooltrack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StripedTrackerTest extends TrackerContractTest {

    @Override
    Tracker newTracker() {
        return new StripedTracker();
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
