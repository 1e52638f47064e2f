package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.report.BugCheckReportFile;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CRASH response in a forked JVM: a complete report file, then a halt with the code's low byte. */
class CrashResponseTest {

    /** The forked program: a verified driver leaks two blocks and unloads under the CRASH response. */
    public static final class LeakingProgram {
        public static void main(String[] args) {
            PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("crashy.jar")
                    .withResponse(Response.CRASH)
                    .withReportDirectory(Path.of(args[0])));
            Driver d = pool.load("crashy.jar");
            MemorySegment a = d.allocate(PoolType.NON_PAGED, 100, Tag.of("Crsh"));
            MemorySegment b = d.allocate(PoolType.PAGED, 28, Tag.of("Crsh"));
            System.out.println("allocated " + a.address() + " " + b.address());
            d.unload();
            System.out.println("still running after unload"); // never printed: the JVM halts
        }
    }

    @Test
    void unloadWithLeaks_crashResponse_writesCompleteReportAndExits196(@TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        LeakingProgram.class.getName(),
                        dir.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(output).isEqualTo(0xC4);
        assertThat(output).contains("DRIVER_VERIFIER_DETECTED_VIOLATION (c4)").doesNotContain("still running");
        List<Path> files = list(dir);
        assertThat(files).hasSize(1);
        assertThat(files.getFirst().getFileName().toString())
                .startsWith("pooltrack-bugcheck-")
                .endsWith(".txt");
        BugCheckReportFile.Report report = BugCheckReportFile.read(files.getFirst());
        assertThat(report.analyzeText()).contains("0xc4_62").contains("crashy.jar");
        assertThat(report.verifierText())
                .contains("Crsh")
                .contains("0x00000064")
                .contains("0x0000001C");
        assertThat(output).contains(files.getFirst().getFileName().toString());
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
