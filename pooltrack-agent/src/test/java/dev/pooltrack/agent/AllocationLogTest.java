package dev.pooltrack.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.CallSite;
import dev.pooltrack.Tag;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AllocationLogTest {

    private static List<AllocationLog.Entry> entries(AllocationLog log) {
        return log.entries(0, id -> "agent-" + id, index -> "pool-" + index, site -> CallSite.UNKNOWN);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 1000, 1024, 1025})
    void entries_afterMoreWritesThanTheCapacity_areExactlyTheNewestCapacityInOrder(int capacity) {
        AllocationLog log = new AllocationLog(capacity);
        int written = 3 * capacity + 7;
        for (int i = 1; i <= written; i++) {
            if (i % 2 == 0) {
                log.freed(i * 16L, i, Tag.of("Leak").value(), 0, 1, 0, null);
            } else {
                log.allocated(i * 16L, i, Tag.of("Leak").value(), 0, 2, 0, null);
            }
        }

        List<AllocationLog.Entry> entries = entries(log);

        assertThat(entries)
                .extracting(AllocationLog.Entry::size)
                .containsExactly(LongStream.rangeClosed(written - capacity + 1, written)
                        .boxed()
                        .toArray(Long[]::new));
        assertThat(entries).allSatisfy(e -> {
            assertThat(e.address()).isEqualTo(e.size() * 16);
            assertThat(e.allocate()).isEqualTo(e.size() % 2 == 1);
            assertThat(e.driver()).isEqualTo(e.allocate() ? "agent-2" : "pool-1");
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 1000})
    void entries_fewerWritesThanTheCapacity_areAllOfThem(int capacity) {
        AllocationLog log = new AllocationLog(capacity);
        log.allocated(0x1000, 10, Tag.of("Leak").value(), 0, 0, 0, null);
        log.freed(0x1000, 10, Tag.of("Leak").value(), 0, 0, 0, null);

        assertThat(entries(log)).extracting(AllocationLog.Entry::allocate).containsExactly(true, false);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, AgentOptions.MAX_HISTORY + 1})
    void constructor_capacityOutOfRange_isRefused(int capacity) {
        assertThatThrownBy(() -> new AllocationLog(capacity)).isInstanceOf(IllegalArgumentException.class);
    }
}
