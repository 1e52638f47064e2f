package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Special pool catching native writes in real forked JVMs that die of them, and {@code pooltrack
 * analyze} (the shaded jar) naming the allocation from the hs_err file and the slot table.
 */
class SpecialPoolCrashIT {

    @TempDir
    Path dir;

    @Test
    void memsetPastEnd_killsTheJvm_analyzeReportsD6WithTheAllocation() throws IOException {
        OverrunStory.Crash crash = OverrunStory.fork(dir, "overrun");

        assertThat(crash.exit()).as(crash.toString()).isNotZero();
        assertThat(crash.out())
                .startsWith("overrun-plugin loaded; overrun next\n")
                .doesNotContain("survived");
        assertThat(crash.hsErr()).as(crash.err()).isNotNull().exists();

        Processes.Run text = Processes.pooltrack(dir, "analyze", crash.hsErr().toString());
        assertThat(text.status()).as(text.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(text.out())
                .contains("DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION (d6)")
                .contains("Arg2: 0000000000000001, value 0 = read operation, 1 = write operation.")
                .contains("BUGCHECK_STR:  0xd6")
                .contains("DRIVER: overrun-plugin")
                .contains(", 96 (0x60) bytes, tag Ovrn, NonPagedPool, live")
                .contains("ALLOCATION_CALL_SITE: dev.pooltrack.examples.OverrunDriver.fillRecord(OverrunDriver.java:")
                .contains("FAULTING_JAVA_FRAME: dev.pooltrack.examples.OverrunDriver.memset")
                .contains("PROCESS_ID: " + crash.pid());

        Map<?, ?> json =
                json(Processes.pooltrack(dir, "analyze", "--json", crash.hsErr().toString()));
        Map<?, ?> allocation = (Map<?, ?>) json.get("allocation");
        long referenced = argument(json, 0);
        long address = ((Number) allocation.get("address")).longValue();
        assertThat(referenced).isEqualTo(address + 96); // the first byte past the end: the guard page
        assertThat(referenced % 4096).isZero();
        assertThat(json.get("write")).isEqualTo(true);
    }

    @Test
    void memsetAfterFree_killsTheJvm_analyzeReportsD5WithTheFreedAllocation() throws IOException {
        OverrunStory.Crash crash = OverrunStory.fork(dir, "use-after-free");

        assertThat(crash.exit()).isNotZero();
        assertThat(crash.hsErr()).as(crash.err()).isNotNull();

        Map<?, ?> json =
                json(Processes.pooltrack(dir, "analyze", "--json", crash.hsErr().toString()));
        Map<?, ?> violation = (Map<?, ?>) json.get("violation");
        Map<?, ?> allocation = (Map<?, ?>) json.get("allocation");
        assertThat(violation.get("name")).isEqualTo("DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL");
        assertThat(((Number) violation.get("code")).intValue()).isEqualTo(0xD5);
        assertThat(allocation.get("state")).isEqualTo("freed");
        assertThat(allocation.get("tag")).isEqualTo("Ovrn");
        assertThat(allocation.get("driver")).isEqualTo("overrun-plugin");
        assertThat((String) allocation.get("callSite")).contains("OverrunDriver.clearAfterRelease");
        assertThat(argument(json, 0)).isEqualTo(((Number) allocation.get("address")).longValue());
    }

    @Test
    void verifyStart_memsetBeforeStart_killsTheJvm_analyzeReportsD6BeforeTheStart() throws IOException {
        OverrunStory.Crash crash = OverrunStory.fork(dir, "underrun");

        assertThat(crash.hsErr()).as(crash.err()).isNotNull();
        Processes.Run text = Processes.pooltrack(dir, "analyze", crash.hsErr().toString());
        assertThat(text.out())
                .contains("DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION (d6)")
                .contains("memory referenced (the guard page before the start of the allocation).")
                .contains("(Verify Start)")
                .contains("OverrunDriver.clearFromBefore(OverrunDriver.java:");
        Map<?, ?> json =
                json(Processes.pooltrack(dir, "analyze", "--json", crash.hsErr().toString()));
        long address = ((Number) ((Map<?, ?>) json.get("allocation")).get("address")).longValue();
        assertThat(address % 4096).isZero();
        assertThat(argument(json, 0)).isEqualTo(address - 16);
    }

    @Test
    void analyze_truncatedForeignOrAlone_refusedWithMessage() throws IOException {
        OverrunStory.Crash crash = OverrunStory.fork(dir, "overrun");
        String log = Files.readString(crash.hsErr());

        Path cut = dir.resolve("hs_err_pid" + crash.pid() + "-cut").resolve("hs_err_pid" + crash.pid() + ".log");
        Files.createDirectories(cut.getParent());
        Files.writeString(cut, log.substring(0, log.indexOf("siginfo:")));
        Processes.Run truncated = Processes.pooltrack(dir, "analyze", cut.toString());
        assertThat(truncated.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(truncated.err())
                .isEqualTo("pooltrack: " + cut
                        + " is truncated or damaged: it has no faulting address (siginfo ... si_addr)\n");

        Path alone = dir.resolve("elsewhere").resolve(crash.hsErr().getFileName());
        Files.createDirectories(alone.getParent());
        Files.writeString(alone, log);
        Processes.Run noTable = Processes.pooltrack(dir, "analyze", alone.toString());
        assertThat(noTable.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(noTable.err())
                .startsWith("pooltrack: no special pool table of JVM " + crash.pid() + " beside " + alone);

        Path foreign = Files.writeString(dir.resolve("foreign.slots"), "x".repeat(100));
        Processes.Run bad = Processes.pooltrack(dir, "analyze", alone.toString(), "--slots", foreign.toString());
        assertThat(bad.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(bad.err())
                .isEqualTo("pooltrack: not a PoolTrack special pool table: " + foreign
                        + " (it does not start with PTSPOOL1)\n");

        Path notLog = Files.writeString(dir.resolve("hs_err_pid1.log"), "hello\n");
        Processes.Run foreignLog = Processes.pooltrack(dir, "analyze", notLog.toString());
        assertThat(foreignLog.err()).isEqualTo("pooltrack: not a JVM fatal error log (hs_err file): " + notLog + "\n");
    }

    @Test
    void demoOverrun_tellsTheWholeStory() {
        Processes.Run run = Processes.pooltrack(dir, "demo", "overrun", "--dir", dir.toString());

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .contains("== 1/3  verifier /flags 0x8 /driver overrun-plugin")
                .contains("BUGCHECK_STR:  0xc4_51")
                .contains("Enable Special Pool (verifier /flags 0x9 /driver overrun-plugin)")
                .contains("DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION (d6)")
                .contains("DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL (d5)")
                .contains("The forked JVMs' files are in " + dir);
    }

    private static Map<?, ?> json(Processes.Run run) {
        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SUCCESS);
        return (Map<?, ?>) Json.parse(run.out());
    }

    private static long argument(Map<?, ?> json, int n) {
        List<?> args = (List<?>) ((Map<?, ?>) json.get("violation")).get("arguments");
        return ((Number) ((Map<?, ?>) args.get(n)).get("value")).longValue();
    }
}
