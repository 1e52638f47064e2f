package dev.pooltrack.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.PoolTrack;
import dev.pooltrack.VerifierSettings;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which entries of the !verifier 0x80 log carry a stack, run in this JVM without instrumentation. */
class FreeStacksTest {

    @ParameterizedTest
    @CsvSource({"'stacks=all,quiet', false", "'stacks=all,freestacks=on,quiet', true"})
    void logEntries_allocationHasItsStack_freeOnlyWithFreeStacks(String options, boolean freeStack) {
        PoolTrack pool =
                PoolTrack.create(VerifierSettings.poolTracking(new String[0]).withAllDrivers(true));
        AgentRuntime runtime = new AgentRuntime(pool, AgentOptions.parse(options), false);
        try (Arena arena = Arena.ofConfined()) {
            long address = arena.allocate(64, 16).address();

            runtime.allocated(address, 64);
            runtime.freed(address);

            List<AllocationLog.Entry> entries = runtime.logEntries(address);
            assertThat(entries).extracting(AllocationLog.Entry::allocate).containsExactlyInAnyOrder(true, false);
            assertThat(entries)
                    .filteredOn(AllocationLog.Entry::allocate)
                    .singleElement()
                    .satisfies(e -> assertThat(e.stack()).isNotEmpty());
            assertThat(entries)
                    .filteredOn(e -> !e.allocate())
                    .singleElement()
                    .satisfies(e -> assertThat(e.stack().isEmpty()).isNotEqualTo(freeStack));
        }
    }
}
