package dev.pooltrack.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** The README's example fails as the README shows; and this class runs under the extension itself. */
@PoolTracked(ignoreTags = "Cach")
class ReadmeExampleTest {

    @Test
    void readmeExample_forgottenFree_failsWithTheListingPointingAtTheAllocation() {
        EngineExecutionResults results = PoolTrackExtensionTest.run(ReadmeExample.FrameDecoderTest.class);

        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        assertThat(PoolTrackExtensionTest.failure(results, "decodesAFrame").getMessage())
                .startsWith("ReadmeExample$FrameDecoderTest#decodesAFrame did not free 1 allocation (4096 bytes):"
                        + " DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4) 0xc4_62 in driver"
                        + " ReadmeExample$FrameDecoderTest#decodesAFrame\n")
                .containsPattern(
                        "  0x00001000  Fram  ReadmeExample\\$FrameDecoderTest!decodesAFrame  "
                                + "dev\\.pooltrack\\.junit\\.ReadmeExample\\$FrameDecoderTest\\.decodesAFrame\\(ReadmeExample\\.java:\\d+\\)");
    }

    @Test
    void thisTest_runsAsItsOwnDriver_andMayLeaveItsCacheBehind(Driver driver, PoolTrack pool) {
        assertThat(driver.name()).isEqualTo("ReadmeExampleTest#thisTest_runsAsItsOwnDriver_andMayLeaveItsCacheBehind");
        assertThat(driver.isVerified()).isTrue();
        assertThat(PoolTrack.currentDriver()).containsSame(driver);
        MemorySegment block = driver.allocate(PoolType.NON_PAGED, 256, Tag.of("Blk"));
        driver.allocate(PoolType.NON_PAGED, 64, Tag.of("Cach"));
        assertThat(pool.outstanding(driver.name())).hasSize(2);
        driver.free(block, Tag.of("Blk"));
    }
}
