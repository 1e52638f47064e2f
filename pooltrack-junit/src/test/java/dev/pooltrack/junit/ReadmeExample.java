package dev.pooltrack.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pooltrack.Driver;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The README's example, as written there; {@link ReadmeExampleTest} runs it. */
final class ReadmeExample {

    private ReadmeExample() {}

    @Fixture
    // README begin
    @PoolTracked
    static class FrameDecoderTest {
        @Test
        void decodesAFrame(Driver driver) {
            MemorySegment frame = driver.allocate(PoolType.NON_PAGED, 4096, Tag.of("Fram"));
            frame.set(ValueLayout.JAVA_INT, 0, 0xCAFE);
            assertEquals(0xCAFE, frame.get(ValueLayout.JAVA_INT, 0));
            // driver.free(frame, Tag.of("Fram")) forgotten: the test fails with 0xC4/0x62
        }
    }
    // README end
}
