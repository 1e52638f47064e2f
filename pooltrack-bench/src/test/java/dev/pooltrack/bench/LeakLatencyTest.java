package dev.pooltrack.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The leak-latency harness finds each tool's leaks the way the README's table says it does. */
class LeakLatencyTest {

    @BeforeAll
    static void installNettyDetector() {
        LeakLatency.installNettyDetector();
    }

    @Test
    void poolTrack_driverUnloadsWithABlock_everyTrialReported() {
        LeakLatency.Row row = LeakLatency.poolTrack(3);

        assertThat(row.reported()).isEqualTo(3);
        assertThat(Arrays.stream(row.nanos()).min().orElseThrow()).isNotNegative();
        assertThat(row.allocations()).containsOnly(0L);
    }

    @Test
    void arrow_childAllocatorClosesWithABuffer_everyTrialReported() {
        LeakLatency.Row row = LeakLatency.arrow(3);

        assertThat(row.reported()).isEqualTo(3);
        assertThat(Arrays.stream(row.nanos()).min().orElseThrow()).isNotNegative();
    }

    @Test
    void netty_gcThenAllocations_everyTrialReportedAfterAGc() {
        LeakLatency.Row row = LeakLatency.nettyGcThenAllocate(new PooledByteBufAllocator(true), 2);

        assertThat(row.reported()).isEqualTo(2);
        assertThat(Arrays.stream(row.gcs()).min().orElseThrow()).isPositive();
    }

    @Test
    void median_ignoresTrialsNeverReported() {
        assertThat(LeakLatency.median(new long[] {-1, 30, 10, 20})).isEqualTo(20);
        assertThat(LeakLatency.median(new long[] {-1, -1})).isEqualTo(-1);
    }
}
