package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.Response;
import dev.pooltrack.SettingsFile;
import dev.pooltrack.SpecialPoolSettings;
import dev.pooltrack.TagPattern;
import dev.pooltrack.VerifierSettings;
import dev.pooltrack.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code pooltrack verifier} on the settings file: the actions that need no JVM. */
class VerifierSettingsFileTest {

    @TempDir
    Path dir;

    private Path file;
    private String previous;

    @BeforeEach
    void useTemporarySettingsFile() {
        file = dir.resolve("verifier.conf");
        previous = System.setProperty(SettingsFile.PROPERTY, file.toString());
    }

    @AfterEach
    void restoreSettingsProperty() {
        if (previous == null) {
            System.clearProperty(SettingsFile.PROPERTY);
        } else {
            System.setProperty(SettingsFile.PROPERTY, previous);
        }
    }

    private VerifierSettings saved() {
        return SettingsFile.read(file);
    }

    @Test
    void flagsAndDriver_windowsSyntax_savesSettingsAndExitsRestartNeeded() {
        Cli.Run run = Cli.run("verifier", "/flags", "0x8", "/driver", "a.jar", "b.jar");

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.RESTART_NEEDED);
        assertThat(run.err()).isEmpty();
        assertThat(run.out())
                .startsWith("New verifier settings:\n\nSpecial pool: Disabled\n")
                .contains("\nPool tracking: Enabled\n", "\nVerified drivers: a.jar b.jar\n")
                .endsWith("\nThe new settings take effect when the JVM is restarted.\nSettings file: " + file + "\n");
        assertThat(saved().flags()).isEqualTo(0x8);
        assertThat(saved().drivers()).containsExactly("a.jar", "b.jar");
        assertThat(saved().allDrivers()).isFalse();
    }

    @Test
    void flagsAndDriver_gnuSyntax_writesTheSameFileAndOutputAsWindowsSyntax() throws IOException {
        Cli.Run windows = Cli.run("verifier", "/flags", "0x8", "/driver", "a.jar", "b.jar");
        String windowsFile = Files.readString(file);
        Files.delete(file);

        Cli.Run gnu = Cli.run("verifier", "--flags", "0x8", "--driver", "a.jar", "b.jar");

        assertThat(gnu).isEqualTo(windows);
        assertThat(Files.readString(file)).isEqualTo(windowsFile);
    }

    @Test
    void driver_replacesTheListAndKeepsTheOtherSettings() {
        Cli.run("verifier", "/flags", "8", "/driver", "a.jar", "b.jar", "/bugcheck", "throw");

        Cli.Run run = Cli.run("verifier", "/driver", "c.jar");

        assertThat(run.status()).isEqualTo(ExitStatus.RESTART_NEEDED);
        assertThat(saved().drivers()).containsExactly("c.jar");
        assertThat(saved().flags()).isEqualTo(0x8);
        assertThat(saved().response()).isEqualTo(Response.THROW);
    }

    @Test
    void driverWithoutFlags_noFlagsSetBefore_usesTheStandardFlags() {
        Cli.Run run = Cli.run("verifier", "/driver", "a.jar");

        assertThat(run.status()).isEqualTo(ExitStatus.RESTART_NEEDED);
        assertThat(saved().flags()).isEqualTo(0x9);
        assertThat(run.out()).contains("Pool tracking: Enabled");
    }

    @Test
    void standardAll_verifiesEveryDriverWithPoolTracking() {
        Cli.run("verifier", "/flags", "8", "/driver", "a.jar");

        Cli.Run run = Cli.run("verifier", "/standard", "/all");

        assertThat(run.status()).isEqualTo(ExitStatus.RESTART_NEEDED);
        assertThat(run.out()).contains("Verified drivers: all drivers (/all)");
        assertThat(saved().allDrivers()).isTrue();
        assertThat(saved().drivers()).isEmpty();
        assertThat(saved().tracks("anything.jar")).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"crash, CRASH", "THROW, THROW", "log, LOG"})
    void bugcheck_savesTheResponse(String given, Response expected) {
        Cli.Run run = Cli.run("verifier", "/bugcheck", given);

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.RESTART_NEEDED);
        assertThat(saved().response()).isEqualTo(expected);
        assertThat(run.out())
                .contains("Response to a violation: " + expected.name().toLowerCase(java.util.Locale.ROOT));
    }

    @Test
    void reset_clearsEverySettingAndExitsRestartNeeded() {
        Cli.run("verifier", "/flags", "8", "/driver", "a.jar", "/bugcheck", "crash");

        Cli.Run run = Cli.run("verifier", "/reset");

        assertThat(run.status()).isEqualTo(ExitStatus.RESTART_NEEDED);
        assertThat(saved()).isEqualTo(VerifierSettings.none());
        assertThat(run.out()).contains("Pool tracking: Disabled", "Verified drivers: (none)");
    }

    @Test
    void querysettings_printsTheFileAndExitsZero() {
        Cli.run("verifier", "/flags", "8", "/driver", "a.jar", "b.jar");

        Cli.Run run = Cli.run("verifier", "/querysettings");

        assertThat(run.status()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .startsWith("Settings file: " + file + "\n\nSpecial pool: Disabled\n")
                .contains("Pool tracking: Enabled", "Verified drivers: a.jar b.jar")
                .doesNotContain("New verifier settings");
    }

    @Test
    void querysettings_noFile_saysNothingIsVerified() {
        Cli.Run run = Cli.run("verifier", "/querysettings");

        assertThat(run.status()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .startsWith("Settings file: " + file + " (there is none: a JVM that starts PoolTrack verifies nothing)")
                .contains("Verified drivers: (none)");
        assertThat(file).doesNotExist();
    }

    @Test
    void querysettingsJson_namesTheFileAndTheSettings() {
        Cli.run("verifier", "--flags", "8", "--driver", "a.jar");

        Cli.Run run = Cli.run("verifier", "--querysettings", "--json");

        Map<?, ?> doc = (Map<?, ?>) Json.parse(run.out());
        assertThat(doc.get("settingsFile")).isEqualTo(file.toString());
        assertThat(doc.get("exists")).isEqualTo(true);
        Map<?, ?> settings = (Map<?, ?>) doc.get("settings");
        assertThat(settings.get("flags")).isEqualTo("0x8");
        assertThat(settings.get("verifiedDrivers")).isEqualTo(List.of("a.jar"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "verifier /flags 0xZZ /driver a.jar | pooltrack: bad flags value '0xZZ': write a 32-bit number in decimal,"
                        + " 0x hex, 0o octal or 0b binary, for example 0x8",
                "verifier /flags 0x2 | pooltrack: flags 0x2 refused: 0x2 (Force IRQL checking) has no counterpart on the"
                        + " JVM. Implemented: 0x4000D (Special pool, Randomized low resources simulation, Pool tracking, Systematic low resources simulation)",
                "verifier /bugcheck explode | pooltrack: unknown response 'explode': use crash, throw or log",
                "verifier /flags 8 /standard | pooltrack: give /flags or /standard, not both",
                "verifier /driver a.jar /all | pooltrack: give /driver NAME... or /all, not both",
                "verifier /flags 8 /driver a.jar /reset | pooltrack: give one of /flags (/standard, /driver, /all,"
                        + " /bugcheck), /reset, /querysettings, /query, /volatile, /log: /flags /driver /reset",
                "verifier /flags 8 42 | pooltrack: the settings file is not tied to a JVM, so /flags takes no pid; to"
                        + " change JVM 42 now, add /volatile",
                "verifier /adddriver a.jar | pooltrack: /adddriver and /removedriver change a running JVM: write"
                        + " /volatile /adddriver NAME PID",
                "verifier /interval 5 | pooltrack: /interval goes with /log FILE",
                "verifier /bogus | pooltrack: Unknown option: '/bogus'",
                "verifier --bogus | pooltrack: Unknown option: '--bogus'",
                "verifier /querysettings --report x.txt | pooltrack: --report FILE goes with /query: the other actions"
                        + " need a running JVM",
                "verifier /volatile /driver a.jar 42 | pooltrack: with /volatile, name drivers with /adddriver and"
                        + " /removedriver (/driver and /all change the settings file)",
                "verifier /log x.log /interval 0 42 | pooltrack: bad /interval '0': give the seconds between entries,"
                        + " from 0.05 to 86400 (default 30)",
                "verifier /log x.log /interval soon 42 | pooltrack: bad /interval 'soon': give the seconds between"
                        + " entries, from 0.05 to 86400 (default 30)",
            })
    void badInput_printsOneLineOnStderrExitsOneAndLeavesNoFile(String args, String message) {
        Cli.Run run = Cli.run(args.split(" "));

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().findFirst()).hasValue(message);
        assertThat(file).doesNotExist();
    }

    @Test
    void badInput_existingFile_isLeftAsItWas() throws IOException {
        Cli.run("verifier", "/flags", "8", "/driver", "a.jar");
        String before = Files.readString(file);

        Cli.Run run = Cli.run("verifier", "/flags", "0x2", "/driver", "b.jar");

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(Files.readString(file)).isEqualTo(before);
        assertThat(saved().drivers()).isEqualTo(Set.of("a.jar"));
    }

    @Test
    void damagedSettingsFile_isNamedWithItsLineAndLeftAlone() throws IOException {
        Files.writeString(file, "flags=0x8\ndriver=a.jar\nflags=lots\n");

        Cli.Run run = Cli.run("verifier", "/driver", "b.jar");

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err())
                .startsWith("pooltrack: the settings file is damaged: " + file + ":3: bad flags value 'lots'")
                .contains("start over with 'pooltrack verifier /reset'");
        assertThat(Files.readString(file)).isEqualTo("flags=0x8\ndriver=a.jar\nflags=lots\n");
    }

    @Test
    void noArguments_opensDriverVerifierManager() {
        Cli.Run run = Cli.pooltrackWithInput(new TestPools().sources(), "q\n", "verifier");

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out()).contains("Cancelled: no settings were changed.");
        assertThat(file).doesNotExist();
    }

    @Test
    void help_documentsTheSettingsFileLocationFormatAndPrecedence() {
        Cli.Run run = Cli.run("verifier", "/?");

        assertThat(run.status()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .contains("  -Dpooltrack.settings=FILE     a system property")
                .contains("  POOLTRACK_SETTINGS=FILE       an environment variable")
                .contains("  ~/.pooltrack/verifier.conf")
                .contains("  flags=0x8")
                .contains("Precedence:");
    }

    @Test
    void query_noPid_saysSoAndListsTheJvms() {
        Cli.Run run = Cli.run("verifier", "/query");

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err())
                .startsWith("pooltrack: no pid given: name the JVM, for example 'pooltrack verifier /query 4242'. JVMs"
                        + " you can attach to");
    }

    @Test
    void specialPoolOptions_windowsSyntax_savedAndShown() {
        Cli.Run run = Cli.run(
                "verifier",
                "/flags",
                "0x9",
                "/driver",
                "a.jar",
                "/specialpooltag",
                "Ovr*",
                "/specialpoolsize",
                "1-64",
                "/verifystart");

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.RESTART_NEEDED);
        assertThat(run.out())
                .contains("Special pool: Enabled\n")
                .contains("Special pool: Verify Start, tag Ovr*, size 1-64, 4096 slots\n");
        assertThat(SettingsFile.read(file).specialPool())
                .isEqualTo(new SpecialPoolSettings(TagPattern.parse("Ovr*"), 1, 64, true, 4096));

        Cli.Run back = Cli.run("verifier", "--specialpooltag", "none", "--verifyend");
        assertThat(back.status()).as(back.err()).isEqualTo(ExitStatus.RESTART_NEEDED);
        assertThat(SettingsFile.read(file).specialPool()).isEqualTo(new SpecialPoolSettings(null, 1, 64, false, 4096));
        assertThat(SettingsFile.read(file).flags()).isEqualTo(0x9);
    }

    @Test
    void badSizeRangeOrTagPattern_oneMessageExitOneNoFile() {
        Cli.Run size = Cli.run("verifier", "/specialpoolsize", "100-10");
        assertThat(size.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(size.err())
                .isEqualTo(
                        "pooltrack: bad special pool size range '100-10': write MIN-MAX in bytes with 1 <= MIN <= MAX"
                                + " < 4096, for example 1-64\n");

        Cli.Run tag = Cli.run("verifier", "/specialpooltag", "Leaky");
        assertThat(tag.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(tag.err()).startsWith("pooltrack: bad tag pattern 'Leaky': ");

        Cli.Run both = Cli.run("verifier", "/verifystart", "/verifyend");
        assertThat(both.err()).isEqualTo("pooltrack: give /verifystart or /verifyend, not both\n");
        assertThat(file).doesNotExist();
    }
}
