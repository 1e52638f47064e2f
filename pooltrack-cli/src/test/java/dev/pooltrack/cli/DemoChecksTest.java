package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.report.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code pooltrack demo lockedpages} and {@code pooltrack demo quota}: each check catches its bug. */
class DemoChecksTest {

    @Test
    void lockedPages_catches0xCBAtCompletionAndAtUnload_andLeavesNothingLocked() {
        Cli.Run run = Cli.run("demo", "lockedpages");
        assertThat(run.status()).as(run.err()).isZero();
        String out = run.out();
        assertThat(out)
                .contains("== 3/5  block 3's read fails and returns with its pages locked")
                .contains("Arg1: dev.pooltrack.examples.DiskDriver.read(DiskDriver.java:")
                .contains("Arg1: dev.pooltrack.examples.DiskDriver.pinMetadata(DiskDriver.java:")
                .contains("BUGCHECK_STR:  0xcb\n");
        assertThat(out.split("DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS \\(cb\\)", -1))
                .hasSize(3);
        String after = out.substring(out.indexOf("== 5/5"));
        assertThat(after)
                .contains("LockedPages: 0\nLockedBytes: 0\n", "(VmLck of this JVM in /proc/self/status: 0 kB)");
    }

    @Test
    void lockedPages_json_hasTheViolationsAndCounters() {
        Cli.Run run = Cli.run("demo", "lockedpages", "--json");
        assertThat(run.status()).isZero();
        Map<?, ?> doc = (Map<?, ?>) Json.parse(run.out());
        List<?> atCompletion = (List<?>) ((Map<?, ?>) doc.get("completion")).get("data");
        assertThat(atCompletion).hasSize(1);
        assertThat(((Map<?, ?>) atCompletion.getFirst()).get("code")).isEqualTo(0xCBL);
        Map<?, ?> after = (Map<?, ?>) ((Map<?, ?>) doc.get("after")).get("data");
        assertThat(after.get("lockedPages")).isEqualTo(0L);
    }

    @Test
    void quota_catchesTheLimitAnd0x10BAnd0x10A() {
        Cli.Run run = Cli.run("demo", "quota");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("packet 4: 4096 bytes charged to tenant-a, 16384 of 16384 bytes used\n")
                .contains("packet 5: STATUS_QUOTA_EXCEEDED (0xC0000044): 4096 bytes of pool quota for tenant tenant-a")
                .contains("the copies are freed: tenant-a has 0 bytes charged (peak 16384)\n")
                .contains("BUGCHECK_STR:  0xc4_10b\n", "FAULTING_THREAD: net-filter-dpc-1\n")
                .contains("BUGCHECK_STR:  0xc4_10a\n", "FAULTING_THREAD: net-filter-timer\n");
    }

    @Test
    void faults_settingsFile_writtenFromWindowsSyntax_andBadInputRefused() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("verifier", ".conf");
        String before = System.getProperty("pooltrack.settings");
        System.setProperty("pooltrack.settings", file.toString());
        try {
            Cli.Run set = Cli.run("verifier", "/faults", "1000", "Tag1 Fr*", "", "5", "/driver", "disk-driver");
            assertThat(set.status()).as(set.err()).isEqualTo(ExitStatus.RESTART_NEEDED);
            assertThat(set.out())
                    .contains("Randomized low resources simulation: Enabled\n")
                    .contains(" - Fault injection probability: 1000/10000.\n")
                    .contains(" - Fail only allocations using pool tags: Tag1 Fr*.\n")
                    .contains(" - Delay after a driver loads: 5 minutes.\n");
            assertThat(java.nio.file.Files.readString(file))
                    .contains(
                            "flags=0xD\n", "faultProbability=1000\n", "faultTags=Tag1 Fr*\n", "faultDelayMinutes=5\n");

            Cli.Run bad = Cli.run("verifier", "--faults", "10001");
            assertThat(bad.status()).isEqualTo(ExitStatus.ERROR);
            assertThat(bad.err())
                    .contains("/faults: bad fault injection probability '10001': give the chances in 10,000");
            Cli.Run badTag = Cli.run("verifier", "/faults", "", "Leaky");
            assertThat(badTag.status()).isEqualTo(ExitStatus.ERROR);
            assertThat(badTag.err()).contains("/faults: bad fault injection pool tag: bad tag pattern 'Leaky'");
            assertThat(java.nio.file.Files.readString(file)).contains("faultProbability=1000\n");
        } finally {
            if (before == null) {
                System.clearProperty("pooltrack.settings");
            } else {
                System.setProperty("pooltrack.settings", before);
            }
            java.nio.file.Files.deleteIfExists(file);
        }
    }
}
