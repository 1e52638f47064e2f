package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.cli.source.PoolSources;
import dev.pooltrack.report.Json;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FindTagCommandTest {

    private static final Path FIXTURES = Path.of("target", "test-classes", "dev", "pooltrack", "cli", "findtagfixture");

    @Test
    void findtag_classFolder_findsEveryFormWithMethodLineAndOffset() {
        Cli.Run r = Cli.pooltrack(PoolSources.unavailable(), "findtag", "Leak", FIXTURES.toString());

        assertThat(r.status()).as(r.err()).isZero();
        String c = "dev.pooltrack.cli.findtagfixture.Tagged.";
        assertThat(r.out())
                .contains(c + "LEAK:Ljava/lang/String;  Tagged.java  static final field: ConstantValue \"Leak\"")
                .contains(c + "LEAK_VALUE:I  Tagged.java  int, little-endian tag value: ConstantValue 0x6B61654C")
                .contains(c + "tag()Ljava/lang/String;  Tagged.java:18  @0  string constant: LDC \"Leak\"")
                .contains(c + "label(I)Ljava/lang/String;  Tagged.java:23  @1  string concatenation:"
                        + " INVOKEDYNAMIC makeConcatWithConstants recipe \"Leak\\u0001\"")
                .contains(c + "packed(I)I  Tagged.java:34  @32  int, little-endian tag value: LDC 0x6B61654C")
                .contains(c + "lambda$lazily$0()Ljava/lang/String;  Tagged.java:40  @0  string constant: LDC \"Leak\"")
                .contains("Found tag 'Leak' (0x6B61654C): 6 uses in 1 classes")
                .doesNotContain("other()");
    }

    @Test
    void findtag_jarAndHexTag_sameHitsAsJson(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("tagged.jar");
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file);
                Stream<Path> classes = Files.list(FIXTURES)) {
            for (Path c : classes.toList()) {
                out.putNextEntry(new JarEntry("dev/pooltrack/cli/findtagfixture/" + c.getFileName()));
                out.write(Files.readAllBytes(c));
                out.closeEntry();
            }
        }

        Cli.Run r = Cli.pooltrack(PoolSources.unavailable(), "findtag", "0x6B61654C", jar.toString(), "--json");

        assertThat(r.status()).as(r.err()).isZero();
        Map<?, ?> doc = (Map<?, ?>) Json.parse(r.out());
        List<?> hits = (List<?>) doc.get("hits");
        assertThat(hits).hasSize(6);
        assertThat(hits)
                .map(h -> ((Map<?, ?>) h).get("member") + "@" + ((Map<?, ?>) h).get("offset"))
                .contains("tag()Ljava/lang/String;@0", "packed(I)I@32");
    }

    @Test
    void findtag_badTagOrMissingInput_exitsWithError() {
        Cli.Run badTag = Cli.pooltrack(PoolSources.unavailable(), "findtag", "TooLong", FIXTURES.toString());
        assertThat(badTag.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(badTag.err()).contains("bad pool tag 'TooLong'");

        Cli.Run missing = Cli.pooltrack(PoolSources.unavailable(), "findtag", "Leak", "no/such/dir");
        assertThat(missing.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(missing.err()).contains("no such file or folder: no/such/dir");

        Cli.Run none = Cli.pooltrack(PoolSources.unavailable(), "findtag", "Zzzz", FIXTURES.toString());
        assertThat(none.status()).isZero();
        assertThat(none.out()).contains("No tag 'Zzzz' (0x7A7A7A5A): 0 uses in 1 classes");
    }
}
