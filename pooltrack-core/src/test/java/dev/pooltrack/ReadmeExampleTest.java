package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.report.PoolUsedReport;
import dev.pooltrack.report.VerifierReport;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The example on the README's first screen, compiled and run. */
class ReadmeExampleTest {

    @Test
    void readmeExample_leakAtUnload_raisesC4_62AndReportsPointAtIt() {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("storage-plugin"));
        Driver storage = pool.load("storage-plugin");
        MemorySegment block = storage.allocate(PoolType.NON_PAGED, 4096, Tag.of("Leak"));
        storage.free(block, Tag.of("Leak"));
        storage.allocate(PoolType.NON_PAGED, 8192, Tag.of("Leak"));
        storage.unload();
        String verifier3 = VerifierReport.text(pool.snapshot(), "storage-plugin", pool.outstanding("storage-plugin"));
        String poolused = PoolUsedReport.text(pool.snapshot(), t -> PoolTagFile.unknownText(t), 0x2, 5);

        assertThat(pool.violations()).extracting(Violation::bucket).containsExactly("0xc4_62");
        assertThat(verifier3).contains("0x00002000  Leak  ReadmeExampleTest!readmeExample_leakAtUnload");
        assertThat(poolused).contains(" Leak         1         8192");
    }
}
