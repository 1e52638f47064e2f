package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.DriverCounters;
import dev.pooltrack.PoolType;
import dev.pooltrack.SettingsFile;
import dev.pooltrack.Tag;
import dev.pooltrack.VerifierSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Driver Verifier Manager scripted through standard input, against a real pool in this JVM. */
class ManagerCommandTest {

    private final TestPools pools = new TestPools();

    @TempDir
    Path dir;

    private Path settings() {
        return dir.resolve("verifier.conf");
    }

    /** {@code pooltrack manager --settings FILE} answering with {@code lines}, one a line. */
    private Cli.Run manager(String... lines) {
        String input = lines.length == 0 ? "" : String.join("\n", lines) + "\n";
        return Cli.pooltrackWithInput(
                pools.sources(), input, "manager", "--settings", settings().toString());
    }

    @Test
    void standardSettings_driverFromTheLiveList_afterRestart_writesTheFileAndExitsTwo() throws IOException {
        Cli.Run run = manager(
                "1", // Create standard settings
                "2", // Select driver names from a list
                "1", // the first JVM listed (4242)
                "2", // check storage-plugin
                "n", "1"); // when a JVM next starts

        assertThat(run.status()).as(run.out() + run.err()).isEqualTo(ExitStatus.RESTART_NEEDED);
        assertThat(Files.readString(settings())).isEqualTo("""
                # PoolTrack verifier settings, read when a JVM starts (written by pooltrack verifier)
                flags=0x9
                driver=storage-plugin
                all=false
                response=log
                callSites=true
                reportDirectory=.
                """);
        assertThat(run.out())
                .contains(
                        "Select a task\n  1. Create standard settings\n  2. Create custom settings (for code developers)")
                .contains("   2  [ ]     storage-plugin  Loaded        no\n")
                .contains("   2  [X]     storage-plugin  Loaded        no\n")
                .contains("Pool tracking: Enabled\n")
                .contains("Verified drivers: storage-plugin\n")
                .contains("Saved in " + settings() + ".");
        assertThat(pools.pool.snapshot().driver(TestPools.STORAGE).verified())
                .as("after restart leaves the running JVM alone")
                .isFalse();
    }

    @Test
    void driverList_showsEachDriverWithItsStatus() {
        Cli.Run run = manager("1", "2", TestPools.PID, "q");

        assertThat(run.status()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .contains("Select drivers to verify (JVM 4242 (dev.pooltrack.test.Main))\n"
                        + "      Verify  Driver          Status        Verified now\n"
                        + "   1  [ ]     audio-plugin    Never Loaded  no\n"
                        + "   2  [ ]     storage-plugin  Loaded        no\n"
                        + "   3  [ ]     network-plugin  Loaded        no\n"
                        + "   4  [ ]     cache-plugin    Unloaded      no\n")
                .endsWith("Cancelled: no settings were changed.\n");
        assertThat(settings()).doesNotExist();
    }

    @Test
    void customSettings_poolTrackingForALoadedDriver_now_verifiesItInThatJvm() {
        Cli.Run run = manager(
                "2", // Create custom settings (for code developers)
                "2", // Select individual settings from a full list
                "4", // Pool tracking
                "n",
                "2", // Select driver names from a list
                TestPools.PID,
                "3", // network-plugin
                "n",
                "2"); // now

        assertThat(run.status()).as(run.out() + run.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .contains("   4  [ ] 0x00000008 Pool tracking\n")
                .contains("   4  [X] 0x00000008 Pool tracking\n")
                .contains("Applied now in JVM 4242 (dev.pooltrack.test.Main):\n"
                        + "  /volatile /flags 0x8\n"
                        + "  /volatile /adddriver network-plugin\n"
                        + "These settings are volatile: they are lost when that JVM exits.\n")
                .contains("  network-plugin  Loaded        yes\n");
        assertThat(settings()).as("now writes no settings file").doesNotExist();

        DriverCounters before = pools.pool.snapshot().driver(TestPools.NETWORK);
        assertThat(before.verified()).isTrue();
        var block = pools.network.allocate(PoolType.NON_PAGED, 256, Tag.of("Netw"));
        DriverCounters after = pools.pool.snapshot().driver(TestPools.NETWORK);
        assertThat(after.currentNonPagedPoolAllocations()).isEqualTo(before.currentNonPagedPoolAllocations() + 1);
        assertThat(after.nonPagedPoolUsageInBytes()).isEqualTo(before.nonPagedPoolUsageInBytes() + 256);
        assertThat(pools.pool.outstanding(TestPools.NETWORK)).anyMatch(a -> a.length() == 256);
        pools.network.free(block);
    }

    @Test
    void fullList_refusesWhatPoolTrackDoesNotImplementAndBadNumbers() {
        Cli.Run run = manager("2", "2", "2", "99", "x", "n", "4 4 4", "q");

        assertThat(run.status()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .contains("   1  [ ] 0x00000001 Special pool\n")
                .contains("   3  [ ] 0x00000004 Randomized low resources simulation\n")
                .contains("   2      0x00000002 Force IRQL checking                   no JVM counterpart\n")
                .contains("  23      0x02000000 Code integrity checks                 no JVM counterpart\n")
                .contains("Force IRQL checking (0x2) cannot be selected: it has no counterpart on the JVM.")
                .contains("'99' is not a number from 1 to 23.")
                .contains("'x' is not a number from 1 to 23.")
                .contains("Check at least one setting: Pool tracking is number 4.")
                .contains("   4  [X] 0x00000008 Pool tracking\n")
                .endsWith("Cancelled: no settings were changed.\n");
    }

    @Test
    void badMenuInput_saysSoAndAsksAgain() {
        Cli.Run run = manager("7", "foo", "", "0", "b", "4");

        assertThat(run.status()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .contains("Choose 1-5 (q Cancel): '7' is not a choice: type a number from 1 to 5.\n")
                .contains("Choose 1-5 (q Cancel): 'foo' is not a choice: type a number from 1 to 5.\n")
                .contains("Choose 1-5 (q Cancel): Type the number of your choice.\n")
                .contains("Choose 1-5 (q Cancel): '0' is not a choice")
                .contains("This is the first step: nothing to go back to (q cancels).")
                .contains("Settings for the next start of a JVM");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void displayExistingSettings_showsTheFile() throws IOException {
        SettingsFile.write(settings(), VerifierSettings.poolTracking("storage-plugin", "my plugin.jar"));

        Cli.Run run = manager("4");

        assertThat(run.status()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .contains("Settings for the next start of a JVM (" + settings() + "):\n\n"
                        + "  [ ] 0x00000001 Special pool\n"
                        + "  [ ] 0x00000004 Randomized low resources simulation\n"
                        + "  [X] 0x00000008 Pool tracking\n"
                        + "  [ ] 0x00040000 Systematic low resources simulation\n\n"
                        + "Verified drivers: storage-plugin my plugin.jar\n"
                        + "Response to a violation: log\n"
                        + "Call sites: recorded\n");
    }

    @Test
    void displayExistingSettings_noFile_showsNoVerification() {
        Cli.Run run = manager("4");

        assertThat(run.status()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .contains("Settings for the next start of a JVM (no file " + settings() + "):")
                .contains("  [ ] 0x00000008 Pool tracking\n")
                .contains("Verified drivers: none\n");
    }

    @Test
    void displayExistingSettings_badFile_exitsOneNamingTheLine() throws IOException {
        Files.writeString(settings(), "flags=0x8\nflavour=vanilla\n");

        Cli.Run run = manager("4");

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.out()).contains("The settings file cannot be read: " + settings() + ":2: unknown key 'flavour'");
    }

    @Test
    void displayCurrentlyVerifiedDrivers_showsStatusesAndLiveCounters() {
        pools.pool.applyVolatile(pools.pool.settings().withFlags(0x8));
        pools.pool.addDriver(TestPools.STORAGE);
        pools.allocate(pools.storage, PoolType.NON_PAGED, 100, "Leak", 2);

        Cli.Run run = manager("5", "999", TestPools.PID, "r", "");

        assertThat(run.status()).as(run.out()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .contains("Cannot read JVM 999: no JVM with pid 999")
                .contains("  Driver          Status        Verified\n"
                        + "  audio-plugin    Never Loaded  yes\n"
                        + "  storage-plugin  Loaded        yes\n"
                        + "  network-plugin  Loaded        no\n"
                        + "  cache-plugin    Unloaded      no\n")
                .contains("Level: 00000008\n")
                .contains("Name: storage-plugin, loads: 1, unloads: 0\n"
                        + "CurrentPagedPoolAllocations: 0\n"
                        + "CurrentNonPagedPoolAllocations: 2\n")
                .contains("NonPagedPoolUsageInBytes: 200\n")
                .contains("Current Pool Allocations: ( 2 / 0 )\n");
        assertThat(run.out().split("Type r to refresh", -1))
                .as("shown, refreshed, finished")
                .hasSize(3);
    }

    @Test
    void typedDriverNames_withoutAJvm_areSaved() throws IOException {
        Cli.Run run = manager("1", "2", "", "n", "+ my-plugin-1.2.jar", "+ second plugin", "1", "n", "1");

        assertThat(run.status()).as(run.out()).isEqualTo(ExitStatus.RESTART_NEEDED);
        assertThat(run.out())
                .contains("No JVM chosen: add the drivers to verify by name.")
                .contains("Check at least one driver, or go back and select all drivers.")
                .contains("   1  [X]     my-plugin-1.2.jar  (typed)");
        assertThat(SettingsFile.read(settings()).drivers()).containsExactly("second plugin");
    }

    @Test
    void allDrivers_now_isRefusedAndAfterRestartWritesAll() throws IOException {
        Cli.Run run = manager("1", "1", "2", "1");

        assertThat(run.status()).as(run.out()).isEqualTo(ExitStatus.RESTART_NEEDED);
        assertThat(run.out())
                .contains("  2. Now, in a running JVM\n     (not available when all drivers are selected)")
                .contains("All drivers can be verified only from the next start of a JVM: choose 1, or go back.");
        VerifierSettings saved = SettingsFile.read(settings());
        assertThat(saved.allDrivers()).isTrue();
        assertThat(saved.flags()).isEqualTo(0x9);
    }

    @Test
    void newSettings_keepPoolTracksOwnKeysFromTheFile() throws IOException {
        SettingsFile.write(
                settings(),
                VerifierSettings.poolTracking("old-plugin")
                        .withResponse(dev.pooltrack.Response.CRASH)
                        .withUniqueTags(Set.of(Tag.of("Leak"))));

        Cli.Run run = manager("1", "2", "", "+ new-plugin", "n", "1");

        assertThat(run.status()).isEqualTo(ExitStatus.RESTART_NEEDED);
        VerifierSettings saved = SettingsFile.read(settings());
        assertThat(saved.drivers()).containsExactly("new-plugin");
        assertThat(saved.response()).isEqualTo(dev.pooltrack.Response.CRASH);
        assertThat(saved.uniqueTags()).containsExactly(Tag.of("Leak"));
    }

    @Test
    void back_returnsToTheStepBefore() {
        Cli.Run run = manager("2", "b", "2", "1", "b", "b", "b", "4");

        assertThat(run.status()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out()).containsOnlyOnce("This is the first step: nothing to go back to (q cancels).");
        List<String> titles = run.out()
                .lines()
                .filter(l -> l.startsWith("Select") || l.startsWith("Settings for"))
                .toList();
        assertThat(titles)
                .containsExactly(
                        "Select a task",
                        "Select what type of settings to create",
                        "Select a task",
                        "Select what type of settings to create",
                        "Select what drivers to verify",
                        "Select what type of settings to create",
                        "Select a task",
                        "Select a task",
                        "Settings for the next start of a JVM (no file " + settings() + "):");
    }

    @Test
    void deleteExistingSettings_confirmed_removesTheFileAndExitsTwo() throws IOException {
        SettingsFile.write(settings(), VerifierSettings.poolTracking("storage-plugin"));

        Cli.Run run = manager("3", "maybe", "y");

        assertThat(run.status()).isEqualTo(ExitStatus.RESTART_NEEDED);
        assertThat(run.out())
                .contains("driver=storage-plugin\n")
                .contains("Answer y or n.")
                .contains("Deleted " + settings());
        assertThat(settings()).doesNotExist();
    }

    @Test
    void deleteExistingSettings_declinedOrNoFile_changesNothing() throws IOException {
        assertThat(manager("3").out()).contains("No settings are saved in " + settings() + ": nothing to delete.");
        SettingsFile.write(settings(), VerifierSettings.poolTracking("storage-plugin"));

        Cli.Run run = manager("3", "n");

        assertThat(run.status()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out()).contains("Nothing deleted.");
        assertThat(settings()).exists();
    }

    @Test
    void inputEnds_exitsOneSayingSoAndChangesNothing() {
        for (String[] answers : List.of(new String[0], new String[] {"2"}, new String[] {"1", "2", "1", "2"})) {
            Cli.Run run = manager(answers);

            assertThat(run.status()).as(String.join(",", answers)).isEqualTo(ExitStatus.ERROR);
            assertThat(run.err()).isEqualTo("pooltrack verifier: input ended; no settings were changed\n");
            assertThat(settings()).doesNotExist();
        }
        assertThat(pools.pool.settings().flags()).isZero();
    }

    @Test
    void liveJvmsNotWiredYet_theListStepSaysSoAndNamesCanStillBeTyped() throws IOException {
        var cl = PoolTrackCommand.commandLine(
                dev.pooltrack.cli.source.PoolSources.unavailable(),
                new java.io.ByteArrayInputStream("1\n2\n1234\n\n+ storage-plugin\nn\n1\n".getBytes()));
        var out = new java.io.StringWriter();
        cl.setOut(new java.io.PrintWriter(out));
        cl.setErr(new java.io.PrintWriter(new java.io.StringWriter()));

        int status = cl.execute("manager", "--settings", settings().toString());

        assertThat(status).isEqualTo(ExitStatus.RESTART_NEEDED);
        assertThat(out.toString())
                .contains("Cannot read JVM 1234: reading a running JVM (pid 1234) is not available in this build"
                        + " of pooltrack yet");
        assertThat(SettingsFile.read(settings()).drivers()).containsExactly("storage-plugin");
    }
}
