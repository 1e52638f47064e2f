package dev.pooltrack.cli;

import dev.pooltrack.Violation;
import dev.pooltrack.cli.source.ReportFileSource;
import dev.pooltrack.report.BugCheckReportFile;
import dev.pooltrack.report.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pooltrack analyze FILE}: reads the bug check report file a {@code crash} response wrote. */
@Command(
        name = "analyze",
        mixinStandardHelpOptions = true,
        header = "Reads a bug check report file: the violation (!analyze -v), its listing and counters.",
        description = {
            "",
            "The crash response writes pooltrack-bugcheck-<pid>-<time>-<code>.txt before it halts the JVM,"
                    + " the counterpart of a crash dump. This prints what it holds: the bug check with its"
                    + " four parameters and the !analyze -v explanation, the outstanding allocations of the"
                    + " driver at fault (!verifier 3), and the verifier /query counters at the time.",
            "",
            "The file is read and checked whole (its CRC-32) before anything is printed: a truncated,"
                    + " changed or foreign file is refused with a message, never shown in part.",
            "",
            "'pooltrack poolused --report FILE' and 'pooltrack outstanding --report FILE' read the same file.",
            ""
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitStatus.SUCCESS + ":the report was printed",
            ExitStatus.ERROR + ":error: no such file, or not a whole PoolTrack bug check report"
        })
final class AnalyzeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "A bug check report file.")
    Path file;

    @Option(names = "--json", description = "Print the report's JSON section: violation, snapshot, outstanding.")
    boolean json;

    @Override
    public Integer call() {
        BugCheckReportFile.Report report = ReportFileSource.open(file).report();
        StringBuilder text = new StringBuilder();
        if (json) {
            text.append(Json.write(report.json())).append('\n');
        } else {
            Violation v = report.violation();
            text.append("Bug check report ")
                    .append(file)
                    .append(", written by JVM ")
                    .append(report.pid())
                    .append("\n\n");
            section(text, "!analyze -v", report.analyzeText());
            section(text, "!verifier 3" + (v.driver() == null ? "" : " " + v.driver()), report.verifierText());
            section(text, "verifier /query", report.queryText());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(text);
        out.flush();
        return ExitStatus.SUCCESS;
    }

    private static void section(StringBuilder out, String command, String text) {
        if (!out.isEmpty() && out.charAt(out.length() - 1) == '\n' && out.charAt(out.length() - 2) != '\n') {
            out.append('\n');
        }
        out.append("== ").append(command).append("\n\n").append(text);
        if (!text.endsWith("\n")) {
            out.append('\n');
        }
    }
}
