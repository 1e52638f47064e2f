package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.BugCheck;
import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.Response;
import dev.pooltrack.VerifierSettings;
import dev.pooltrack.Violation;
import dev.pooltrack.cli.source.ReportFileSource;
import dev.pooltrack.cli.source.SourceException;
import dev.pooltrack.examples.NetworkDriver;
import dev.pooltrack.examples.SampleWorkload;
import dev.pooltrack.examples.StorageDriver;
import dev.pooltrack.report.BugCheckReportFile;
import dev.pooltrack.report.Json;
import dev.pooltrack.report.PoolUsedReport;
import dev.pooltrack.report.QueryReport;
import dev.pooltrack.report.VerifierReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands that read a bug check report file instead of a running JVM. */
class ReportFileCommandsTest {

    @TempDir
    static Path dir;

    private static Path file;
    private static BugCheckReportFile.Report report;

    /** Writes the report of storage-plugin's leak at unload, as the crash response would. */
    @BeforeAll
    static void writeReport() throws IOException {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking(StorageDriver.NAME, NetworkDriver.NAME)
                .withResponse(Response.LOG));
        SampleWorkload workload = SampleWorkload.load(pool);
        workload.run(200);
        workload.network().close();
        workload.storage().close();
        Violation leak = pool.violations().getLast();
        assertThat(leak.subcode()).isEqualTo(BugCheck.UNLOAD_WITH_OUTSTANDING_ALLOCATIONS);
        file = BugCheckReportFile.write(dir, leak, pool.snapshot(), pool.outstanding(null));
        report = BugCheckReportFile.read(file);
    }

    @Test
    void analyze_reportFile_printsAnalyzeListingAndCounters() {
        Cli.Run run = Cli.run("analyze", file.toString());

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .isEqualTo("Bug check report " + file + ", written by JVM "
                        + ProcessHandle.current().pid() + "\n\n"
                        + "== !analyze -v\n\n" + report.analyzeText() + "\n"
                        + "== !verifier 3 storage-plugin\n\n" + report.verifierText() + "\n"
                        + "== verifier /query\n\n" + report.queryText());
        assertThat(run.out()).contains("0xc4_62", "MODULE: storage-plugin (Unloaded)", "Level: 00000008");
    }

    @Test
    void analyzeJson_printsTheReportsJsonSection() {
        Cli.Run run = Cli.run("analyze", "--json", file.toString());

        assertThat(run.status()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(Json.parse(run.out())).isEqualTo(report.json());
    }

    @Test
    void analyze_truncatedFile_isRefusedAndNothingIsPrinted() throws IOException {
        byte[] whole = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.txt");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));

        Cli.Run run = Cli.run("analyze", cut.toString());

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.out()).isEmpty();
        assertThat(run.err())
                .isEqualTo("pooltrack: " + cut
                        + ": truncated: no END OF REPORT line (the JVM may have died while writing it)\n");
    }

    @Test
    void analyze_foreignFile_isRefused() throws IOException {
        Path foreign = dir.resolve("pooltag.txt");
        Files.writeString(foreign, "Leak - storage.jar - metadata cache\n");

        Cli.Run run = Cli.run("analyze", foreign.toString());

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.out()).isEmpty();
        assertThat(run.err())
                .isEqualTo("pooltrack: " + foreign
                        + ": not a PoolTrack bug check report: the first line is not 'POOLTRACK BUGCHECK REPORT 1'\n");
    }

    @Test
    void analyze_missingFile_saysSo() {
        Cli.Run run = Cli.run("analyze", dir.resolve("nothing.txt").toString());

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err()).isEqualTo("pooltrack: no such report file: " + dir.resolve("nothing.txt") + "\n");
    }

    @Test
    void poolusedReport_printsTheTableOfTheReportsSnapshot() {
        Cli.Run run = Cli.run("poolused", "--report", file.toString(), "2");

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .isEqualTo(PoolUsedReport.text(
                        report.snapshot(), PoolUsedCommand.describer(List.of()), PoolUsedReport.SORT_BY_NONPAGED, 0));
        assertThat(run.out()).contains(" Leak ");
    }

    @Test
    void poolusedReport_topAndTagPatternAndPooltag_filterAndDescribe() throws IOException {
        Path pooltag = dir.resolve("my-pooltag.txt");
        Files.writeString(pooltag, "Leak - storage.jar - metadata cache\n");

        Cli.Run run =
                Cli.run("poolused", "--report", file.toString(), "/t1", "2", "?eak", "--pooltag", pooltag.toString());

        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SUCCESS);
        List<String> rows =
                run.out().lines().filter(l -> l.matches(" \\S{4} +\\d.*")).toList();
        assertThat(rows).hasSize(1);
        assertThat(rows.getFirst()).startsWith(" Leak ").endsWith("  metadata cache , Binary: storage.jar");
    }

    @Test
    void poolusedReportJson_isTheReportsJson() {
        Cli.Run run = Cli.run("poolused", "--report", file.toString(), "--json", "/t", "2", "4");

        assertThat(run.status()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out())
                .isEqualTo(PoolUsedReport.json(
                        report.snapshot(), PoolUsedCommand.describer(List.of()), PoolUsedReport.SORT_BY_PAGED, 2));
    }

    @Test
    void poolused_badFlags_areRefused() {
        Cli.Run both = Cli.run("poolused", "--report", file.toString(), "6");
        Cli.Run session = Cli.run("poolused", "--report", file.toString(), "8");

        assertThat(both.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(both.err()).startsWith("pooltrack: ").contains("0x2").contains("0x4");
        assertThat(session.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(session.err()).startsWith("pooltrack: ");
    }

    @Test
    void outstandingReport_listsTheDriversLeakedAllocations() {
        Cli.Run run = Cli.run("outstanding", "--report", file.toString(), StorageDriver.NAME);

        List<OutstandingAllocation> leaked = report.outstanding().stream()
                .filter(a -> a.driver().equals(StorageDriver.NAME))
                .toList();
        assertThat(run.status()).as(run.err()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out()).isEqualTo(VerifierReport.text(report.snapshot(), StorageDriver.NAME, leaked));
        assertThat(leaked).hasSize(200 / StorageDriver.CACHE_EVERY);
    }

    @Test
    void outstandingReport_limit_listsTheBiggestAndSaysHowManyThereAre() {
        Cli.Run run = Cli.run("outstanding", "--report", file.toString(), "--limit", "3");

        assertThat(run.status()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out().lines().filter(l -> l.matches(" +0x\\p{XDigit}{16} .*")))
                .hasSize(3);
        assertThat(run.out())
                .endsWith("\nListed the 3 biggest of 10 allocations outstanding in bug check report " + file + " (JVM "
                        + ProcessHandle.current().pid() + "); --limit 0 lists all.\n");
    }

    @Test
    void outstandingReport_unknownDriver_isNamedWithTheKnownOnes() {
        Cli.Run run = Cli.run("outstanding", "--report", file.toString(), "no-such-plugin");

        assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(run.err())
                .isEqualTo("pooltrack: unknown driver 'no-such-plugin': the drivers in " + file
                        + " are [storage-plugin, network-plugin]\n");
    }

    @Test
    void queryReport_printsTheReportsCounters() {
        Cli.Run run = Cli.run("verifier", "/query", "--report", file.toString());

        assertThat(run.status()).isEqualTo(ExitStatus.SUCCESS);
        assertThat(run.out()).isEqualTo(QueryReport.text(report.snapshot()));
    }

    @Test
    void reportFileSource_changes_areRefusedAsReadOnly() {
        ReportFileSource source = ReportFileSource.open(file);

        String message = file + " is a bug check report file, a record of a JVM that has halted: it cannot be changed."
                + " /volatile changes a running JVM: give its pid";
        assertThatThrownBy(() -> source.addDriver("x"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> source.removeDriver("x"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> source.setVolatileFlags(8))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> source.setResponse("log"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage(message);
        assertThat(source.settingsText()).contains("flags=0x8\n", "driver=storage-plugin\n", "driver=network-plugin\n");
        assertThat(source.violations()).hasSize(1);
    }

    @Test
    void reportFileSource_missingFile_isASourceException() {
        assertThatThrownBy(() -> ReportFileSource.open(dir.resolve("gone.txt")))
                .isInstanceOf(SourceException.class)
                .hasMessage("no such report file: " + dir.resolve("gone.txt"));
    }
}
