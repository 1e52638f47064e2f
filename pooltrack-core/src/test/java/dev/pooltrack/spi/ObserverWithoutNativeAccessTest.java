package dev.pooltrack.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import dev.pooltrack.VerifierSettings;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The agent reports memory through the observer in programs run without {@code
 * --enable-native-access}: that path must call no restricted method.
 */
class ObserverWithoutNativeAccessTest {

    /** The forked program: observes an allocation and its free, then prints the tag's counters. */
    public static final class ObservingProgram {
        public static void main(String[] args) {
            PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("app.jar"));
            AllocationObserver o = AllocationObserver.of(pool);
            o.allocated(
                    o.driver("app.jar"),
                    PoolType.NON_PAGED.code(),
                    0x1000,
                    64,
                    Tag.of("Jdbb").value(),
                    0);
            o.freed(0x1000);
            System.out.println("observed " + pool.snapshot().tag(Tag.of("Jdbb")));
        }
    }

    @Test
    void observing_withNativeAccessDenied_needsNoRestrictedMethod() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(
                        java,
                        "--illegal-native-access=deny",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ObservingProgram.class.getName())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("observed TagUsage[tag=Jdbb, nonPagedAllocs=1, nonPagedFrees=1, nonPagedBytes=0");
    }
}
