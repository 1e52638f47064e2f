package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsFileTest {

    @Test
    void writeThenRead_roundTripsEverySetting(@TempDir Path dir) throws Exception {
        VerifierSettings s = VerifierSettings.poolTracking("storage-plugin", "my plugin 1.2.jar")
                .withResponse(Response.THROW)
                .withCallSites(false)
                .withUniqueTags(Set.of(Tag.of("Leak"), Tag.of("Cc")))
                .withReportDirectory(dir);
        Path file = dir.resolve("sub/verifier.conf");
        SettingsFile.write(file, s);
        assertThat(SettingsFile.read(file)).isEqualTo(s);
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertThat(files).containsExactly(file); // no temp file left behind
        }
    }

    @Test
    void read_missingFile_isNoVerification(@TempDir Path dir) {
        assertThat(SettingsFile.read(dir.resolve("absent.conf"))).isEqualTo(VerifierSettings.none());
    }

    @Test
    void parse_badLines_nameSourceAndLine() {
        assertThatThrownBy(() -> SettingsFile.parse("v.conf", List.of("# c", "flags=0x8", "nonsense")))
                .hasMessage("v.conf:3: expected key=value, found 'nonsense'");
        assertThatThrownBy(() -> SettingsFile.parse("v.conf", List.of("flags=0x2")))
                .hasMessageStartingWith("v.conf:1: flags 0x2 refused: 0x2 (Force IRQL checking) has no counterpart");
        assertThatThrownBy(() -> SettingsFile.parse("v.conf", List.of("flags=zz")))
                .hasMessageStartingWith("v.conf:1: bad flags value 'zz'");
        assertThatThrownBy(() -> SettingsFile.parse("v.conf", List.of("", "response=panic")))
                .hasMessage("v.conf:2: unknown response 'panic': use crash, throw or log");
        assertThatThrownBy(() -> SettingsFile.parse("v.conf", List.of("uniqueTag=Toolong")))
                .hasMessageStartingWith("v.conf:1: bad pool tag 'Toolong'");
        assertThatThrownBy(() -> SettingsFile.parse("v.conf", List.of("colour=blue")))
                .hasMessageStartingWith("v.conf:1: unknown key 'colour'");
        assertThatThrownBy(() -> SettingsFile.parse("v.conf", List.of("all=maybe")))
                .hasMessage("v.conf:1: expected true or false, found 'maybe'");
    }
}
