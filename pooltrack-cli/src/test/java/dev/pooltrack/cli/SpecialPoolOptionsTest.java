package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.SettingsFile;
import dev.pooltrack.SpecialPoolSettings;
import dev.pooltrack.TagPattern;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pooltrack verifier}'s special pool options on the settings file. */
class SpecialPoolOptionsTest {

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
