package dev.pooltrack.report;

import static dev.pooltrack.report.Fixtures.leakAtUnload;
import static dev.pooltrack.report.Fixtures.outstanding;
import static dev.pooltrack.report.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.Violation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BugCheckReportFileTest {

    @TempDir
    Path dir;

    @Test
    void write_leak_namesTheFileAfterPidTimeAndCodeAndLeavesNoTemporaryFile() throws IOException {
        Path file = BugCheckReportFile.write(dir, leakAtUnload(), snapshot(), outstanding(), 4242);

        assertThat(file.getFileName().toString()).isEqualTo("pooltrack-bugcheck-4242-20250601-120000-c4.txt");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void write_publicOverload_usesThisProcessId() throws IOException {
        Path file = BugCheckReportFile.write(dir, leakAtUnload(), snapshot(), outstanding());

        assertThat(file.getFileName().toString())
                .isEqualTo("pooltrack-bugcheck-" + ProcessHandle.current().pid() + "-20250601-120000-c4.txt");
        assertThat(BugCheckReportFile.read(file).pid())
                .isEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void write_sameSecondTwice_keepsBothFiles() throws IOException {
        Path first = BugCheckReportFile.write(dir, leakAtUnload(), snapshot(), outstanding(), 1);
        Path second = BugCheckReportFile.write(dir, leakAtUnload(), snapshot(), outstanding(), 1);

        assertThat(second.getFileName().toString()).isEqualTo("pooltrack-bugcheck-1-20250601-120000-c4-2.txt");
        assertThat(first).exists();
    }

    @Test
    void write_missingDirectory_createsIt() throws IOException {
        Path nested = dir.resolve("reports").resolve("today");

        assertThat(BugCheckReportFile.write(nested, leakAtUnload(), snapshot(), outstanding(), 1))
                .exists();
    }

    @Test
    void write_directoryIsAFile_failsAndLeavesNothing() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");

        assertThatThrownBy(() -> BugCheckReportFile.write(notADirectory, leakAtUnload(), snapshot(), outstanding(), 1))
                .isInstanceOf(IOException.class);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(notADirectory);
        }
    }

    @Test
    void read_writtenFile_givesBackTheTextsAndTheValues() throws IOException {
        Path file = BugCheckReportFile.write(dir, leakAtUnload(), snapshot(), outstanding(), 4242);

        BugCheckReportFile.Report report = BugCheckReportFile.read(file);

        assertThat(report.analyzeText()).isEqualTo(AnalyzeReport.text(leakAtUnload()));
        assertThat(report.verifierText()).isEqualTo(VerifierReport.text(snapshot(), "storage-plugin", outstanding()));
        assertThat(report.queryText()).isEqualTo(QueryReport.text(snapshot()));
        assertThat(report.violation()).isEqualTo(leakAtUnload());
        assertThat(report.snapshot()).isEqualTo(snapshot());
        assertThat(report.outstanding()).isEqualTo(outstanding());
        assertThat(report.pid()).isEqualTo(4242);
        assertThat(report.json()).containsKeys("format", "pid", "violation", "snapshot", "outstanding");
    }

    @Test
    void write_leak_hasTheDocumentedLayout() throws IOException {
        Path file = BugCheckReportFile.write(dir, leakAtUnload(), snapshot(), outstanding(), 4242);

        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);

        assertThat(lines.get(0)).isEqualTo("POOLTRACK BUGCHECK REPORT 1");
        assertThat(lines.get(1)).isEqualTo("-----BEGIN ANALYZE-----");
        assertThat(lines)
                .containsSubsequence(
                        "-----END ANALYZE-----",
                        "-----BEGIN VERIFIER-----",
                        "-----END VERIFIER-----",
                        "-----BEGIN QUERY-----",
                        "-----END QUERY-----",
                        "-----BEGIN JSON-----",
                        "-----END JSON-----");
        assertThat(lines.get(lines.size() - 1)).matches("END OF REPORT crc32=[0-9a-f]{8}");
    }

    @Test
    void read_otherViolations_roundTrip() throws IOException {
        for (Violation v : List.of(Fixtures.freeOfBadAddress(), Fixtures.freeWithWrongTag())) {
            Path file = BugCheckReportFile.write(dir, v, snapshot(), outstanding(), 7);

            assertThat(BugCheckReportFile.read(file).violation()).isEqualTo(v);
        }
    }

    @Test
    void read_namesThatLookLikeSectionMarkers_cannotBreakTheFile() throws IOException {
        Violation v = leakAtUnload();
        Violation forged = new Violation(
                v.code(),
                v.name(),
                v.parameters(),
                v.driver(),
                v.callSite(),
                v.leaked(),
                "t\n-----END ANALYZE-----\n-----BEGIN VERIFIER-----\n",
                v.timeMillis());
        Path file = BugCheckReportFile.write(dir, forged, snapshot(), outstanding(), 1);

        assertThat(BugCheckReportFile.read(file).violation()).isEqualTo(forged);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.001, 0.003, 0.01, 0.25, 0.5, 0.9, 0.999})
    void read_fileCutShort_refusedAsTruncated(double fraction) throws IOException {
        Path file = BugCheckReportFile.write(dir, leakAtUnload(), snapshot(), outstanding(), 4242);
        byte[] bytes = Files.readAllBytes(file);
        int cut = (int) (bytes.length * fraction);
        Files.write(file, Arrays.copyOf(bytes, cut));

        assertThatThrownBy(() -> BugCheckReportFile.read(file))
                .isInstanceOf(BugCheckReportFileException.class)
                .hasMessageStartingWith(file + ": truncated: ")
                .hasMessageContaining("the JVM may have died while writing it");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 10, 21})
    void read_lastBytesMissing_refusedAsTruncated(int missing) throws IOException {
        Path file = BugCheckReportFile.write(dir, leakAtUnload(), snapshot(), outstanding(), 4242);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - missing));

        assertThatThrownBy(() -> BugCheckReportFile.read(file))
                .isInstanceOf(BugCheckReportFileException.class)
                .hasMessage(file + ": truncated: no END OF REPORT line (the JVM may have died while writing it)");
    }

    @Test
    void read_flippedByte_refusedByTheCrc() throws IOException {
        Path file = BugCheckReportFile.write(dir, leakAtUnload(), snapshot(), outstanding(), 4242);
        byte[] bytes = Files.readAllBytes(file);
        int at = new String(bytes, StandardCharsets.UTF_8).indexOf("0x00001058");
        bytes[at + 9] = '9';
        Files.write(file, bytes);

        assertThatThrownBy(() -> BugCheckReportFile.read(file))
                .isInstanceOf(BugCheckReportFileException.class)
                .hasMessageStartingWith(file + ": corrupt: the content's CRC-32 is ")
                .hasMessageEndingWith("(the file was changed or damaged after it was written)");
    }

    @Test
    void read_foreignFile_refused() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "Shopping list\nmilk\n");

        assertThatThrownBy(() -> BugCheckReportFile.read(file))
                .isInstanceOf(BugCheckReportFileException.class)
                .hasMessage(file + ": not a PoolTrack bug check report: the first line is not"
                        + " 'POOLTRACK BUGCHECK REPORT 1'");
    }

    @Test
    void read_foreignFileWithoutNewline_refused() throws IOException {
        Path file = Files.write(dir.resolve("blob.bin"), new byte[] {0x7f, 'E', 'L', 'F'});

        assertThatThrownBy(() -> BugCheckReportFile.read(file))
                .isInstanceOf(BugCheckReportFileException.class)
                .hasMessageContaining("not a PoolTrack bug check report");
    }

    @Test
    void read_unknownVersion_refused() throws IOException {
        Path file = BugCheckReportFile.write(dir, leakAtUnload(), snapshot(), outstanding(), 4242);
        String text = Files.readString(file).replaceFirst("REPORT 1\n", "REPORT 2\n");
        Files.writeString(file, text);

        assertThatThrownBy(() -> BugCheckReportFile.read(file))
                .isInstanceOf(BugCheckReportFileException.class)
                .hasMessage(file + ": unknown format version '2': this PoolTrack reads version 1");
    }

    @Test
    void read_validCrcButBrokenSections_refusedAsCorrupt() throws IOException {
        byte[] body = ("POOLTRACK BUGCHECK REPORT 1\n-----BEGIN ANALYZE-----\nx\n-----END ANALYZE-----\n")
                .getBytes(StandardCharsets.UTF_8);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(body);
        Path file = dir.resolve("handmade.txt");
        Files.write(file, body);
        Files.writeString(
                file,
                String.format("END OF REPORT crc32=%08x\n", crc.getValue()),
                java.nio.file.StandardOpenOption.APPEND);

        assertThatThrownBy(() -> BugCheckReportFile.read(file))
                .isInstanceOf(BugCheckReportFileException.class)
                .hasMessage(file + ": corrupt: expected -----BEGIN VERIFIER----- at line 5");
    }
}
