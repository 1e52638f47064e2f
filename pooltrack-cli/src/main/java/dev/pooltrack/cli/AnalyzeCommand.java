package dev.pooltrack.cli;

import dev.pooltrack.Violation;
import dev.pooltrack.cli.source.ReportFileSource;
import dev.pooltrack.report.AnalyzeReport;
import dev.pooltrack.report.BugCheckReportFile;
import dev.pooltrack.report.FaultAnalysis;
import dev.pooltrack.report.Json;
import dev.pooltrack.report.SpecialPoolTable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
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
        header = "Reads a bug check report file, or a JVM's hs_err file after a special pool fault.",
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
            "",
            "Given a JVM fatal error log (hs_err_pidNNN.log), it reads the special pool slot table of that JVM"
                    + " (pooltrack-specialpool-NNN.slots beside the log, or --slots FILE) and names the allocation"
                    + " whose guard page (0xD6 DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION) or freed page (0xD5"
                    + " DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL) native code touched: tag, size, driver, call site.",
            ""
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitStatus.SUCCESS + ":the report was printed",
            ExitStatus.ERROR + ":error: no such file, not a whole PoolTrack bug check report, or an hs_err file"
                    + " whose fault special pool did not catch"
        })
final class AnalyzeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "A bug check report file.")
    Path file;

    @Option(names = "--json", description = "Print the report's JSON section: violation, snapshot, outstanding.")
    boolean json;

    @Option(
            names = "--slots",
            paramLabel = "FILE",
            description = "With an hs_err file: the special pool slot table (default: the JVM's, beside the log).")
    Path slots;

    @Override
    public Integer call() {
        if (FaultAnalysis.isFatalErrorLog(file)) {
            return fault();
        }
        if (slots != null) {
            throw new CommandException("--slots FILE goes with an hs_err_pidNNN.log file, not a bug check report");
        }
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

    private Integer fault() {
        FaultAnalysis.Result r;
        try {
            r = FaultAnalysis.analyze(file, slots);
        } catch (IllegalArgumentException e) {
            throw new CommandException(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            SpecialPoolTable.Slot s = r.slot();
            Map<String, Object> allocation = new LinkedHashMap<>();
            allocation.put("address", s.address());
            allocation.put("size", s.size());
            allocation.put("tag", r.tag());
            allocation.put("poolType", s.poolType() == 1 ? "Paged" : "NonPaged");
            allocation.put("state", s.state() == SpecialPoolTable.FREED ? "freed" : "live");
            allocation.put("driver", s.driver());
            allocation.put("callSite", s.callSite());
            allocation.put("threadId", s.threadId());
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("violation", Json.parse(AnalyzeReport.json(r.violation())));
            doc.put("allocation", allocation);
            doc.put("pid", r.pid());
            doc.put("write", r.write());
            doc.put("problematicFrame", r.problematicFrame());
            doc.put("javaCaller", r.javaCaller());
            doc.put("slotTable", r.table().file().toString());
            out.println(Json.write(doc));
        } else {
            StringBuilder text = new StringBuilder();
            text.append("JVM fatal error log ")
                    .append(file)
                    .append(", JVM ")
                    .append(r.pid())
                    .append(", special pool slot table ")
                    .append(r.table().file())
                    .append("\n\n");
            section(text, "!analyze -v", r.text());
            out.print(text);
        }
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
