package dev.pooltrack.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compares report output with the expected files in {@code src/test/resources/golden}.
 *
 * <p>Run with {@code -Dgolden.update=true} to (re)write the expected files from the current output;
 * then read every changed file against the Windows layout before committing it.
 */
final class Golden {

    private static final Path DIRECTORY = Path.of("src", "test", "resources", "golden");

    private Golden() {}

    static void assertMatches(String name, String actual) {
        Path file = DIRECTORY.resolve(name);
        try {
            if (Boolean.getBoolean("golden.update")) {
                Files.createDirectories(DIRECTORY);
                Files.writeString(file, actual, StandardCharsets.UTF_8);
                return;
            }
            if (!Files.exists(file)) {
                fail("no golden file " + file.toAbsolutePath()
                        + "; run the test with -Dgolden.update=true to create it");
            }
            assertThat(actual)
                    .as("output compared with %s", file)
                    .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
