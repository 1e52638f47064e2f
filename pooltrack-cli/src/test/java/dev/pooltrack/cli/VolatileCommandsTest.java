package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.VerifierFlags;
import dev.pooltrack.report.PoolUsedReport;
import dev.pooltrack.report.QueryReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code verifier /query}, {@code /volatile}, {@code poolused} and {@code outstanding} through the
 * {@link dev.pooltrack.cli.source.PoolSources} seam, against a pool in this JVM: the same commands
 * {@link LiveJvmIT} runs against a real JVM, without starting one.
 */
class VolatileCommandsTest {

    private final TestPools pools = new TestPools();

    private Cli.Run pooltrack(String... args) {
        return Cli.pooltrack(pools.sources(), args);
    }

    @Test
    void query_printsTheQueryReportOfThePool() {
        Cli.Run run = pooltrack("verifier", "/query", TestPools.PID);

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SUCCESS);
        String expected = QueryReport.text(pools.pool.snapshot());
        assertThat(run.out().substring(run.out().indexOf('\n'))).isEqualTo(expected.substring(expected.indexOf('\n')));
    }

    @Test
    void poolused_printsThePoolUsedReportOfThePool() {
        Cli.Run run = pooltrack("poolused", TestPools.PID, "/t", "2", "2");

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .isEqualTo(PoolUsedReport.text(
                        pools.pool.snapshot(),
                        PoolUsedCommand.describer(List.of()),
                        PoolUsedReport.SORT_BY_NONPAGED,
                        2));
    }

    @Test
    void volatileAdddriver_loadedAndNeverLoaded_saysWhenEachIsVerified() {
        Cli.Run run = pooltrack(
                "verifier", "/volatile", "/flags", "8", "/adddriver", TestPools.STORAGE, "late-plugin", TestPools.PID);

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .contains("storage-plugin (Loaded): verified now; its allocations from now on are tracked.\n")
                .contains("late-plugin (Never Loaded): verified when it loads.\n")
                .doesNotContain("Pool tracking (0x8) is off");
        assertThat(pools.pool.driver(TestPools.STORAGE).isVerified()).isTrue();
        assertThat(pools.pool.settings().drivers()).contains("storage-plugin", "late-plugin");
    }

    @Test
    void volatileAdddriver_poolTrackingOff_warnsThatNothingIsTracked() {
        Cli.Run run = pooltrack("verifier", "--volatile", "--adddriver", TestPools.STORAGE, "--pid", TestPools.PID);

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .contains("Pool tracking (0x8) is off in JVM 4242 (dev.pooltrack.test.Main): no driver is tracked until"
                        + " /volatile /flags 0x8.");
        assertThat(pools.pool.driver(TestPools.STORAGE).isVerified()).isFalse();
    }

    @Test
    void volatileRemovedriver_loadedVerifiedDriver_isRefusedAndChangesNothing() {
        pooltrack("verifier", "/volatile", "/standard", "/adddriver", TestPools.STORAGE, TestPools.PID);

        Cli.Run run = pooltrack("verifier", "/volatile", "/removedriver", TestPools.STORAGE, TestPools.PID);

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err()).startsWith("pooltrack: cannot stop verifying storage-plugin in JVM 4242");
        assertThat(pools.pool.driver(TestPools.STORAGE).isVerified()).isTrue();
        assertThat(pools.pool.settings().flags()).isEqualTo(VerifierFlags.standardFlags());
    }

    @Test
    void volatileRemovedriver_driverNeverLoaded_isRemoved() {
        Cli.Run run = pooltrack("verifier", "/volatile", "/removedriver", TestPools.NEVER_LOADED, TestPools.PID);

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out()).contains("audio-plugin: no longer verified.");
        assertThat(pools.pool.settings().drivers()).doesNotContain(TestPools.NEVER_LOADED);
    }

    @Test
    void volatileRemovedriver_driverNotInTheList_saysSo() {
        Cli.Run run = pooltrack("verifier", "/volatile", "/removedriver", "cache-plugin", TestPools.PID);

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err())
                .isEqualTo("pooltrack: cannot stop verifying cache-plugin in JVM 4242 (dev.pooltrack.test.Main): driver"
                        + " cache-plugin is not in the verified driver list\n");
    }

    @Test
    void volatileRemovedriver_loadedDriverNotVerified_saysItIsNotInTheList() {
        Cli.Run run = pooltrack("verifier", "/volatile", "/removedriver", TestPools.NETWORK, TestPools.PID);

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err())
                .isEqualTo("pooltrack: cannot stop verifying network-plugin in JVM 4242 (dev.pooltrack.test.Main):"
                        + " driver network-plugin is not in the verified driver list\n");
    }

    @Test
    void volatile_withoutAChange_saysWhatItNeeds() {
        Cli.Run run = pooltrack("verifier", "/volatile", TestPools.PID);

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err())
                .isEqualTo("pooltrack: /volatile needs /flags, /standard, /adddriver, /removedriver or /bugcheck, and a"
                        + " pid\n");
    }

    @Test
    void unknownPid_isTheResolversMessage() {
        Cli.Run run = pooltrack("outstanding", "999");

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err()).isEqualTo("pooltrack: no JVM with pid 999\n");
    }
}
