package dev.pooltrack.cli;

import dev.pooltrack.DriverCounters;
import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.cli.source.PoolSource;
import dev.pooltrack.cli.source.PoolSources;
import dev.pooltrack.report.VerifierReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pooltrack outstanding}: {@code !verifier 3 [driver]} against a running JVM or a bug check report file. */
@Command(
        name = "outstanding",
        mixinStandardHelpOptions = true,
        header = "!verifier 3: the outstanding allocations of verified drivers, with their call sites.",
        synopsisHeading = "%nUsage:%n",
        customSynopsis = {
            "  pooltrack outstanding PID [DRIVER] [--limit N] [--json]",
            "  pooltrack outstanding --report FILE [DRIVER] [--limit N] [--json]"
        },
        description = {
            "",
            "Prints the verifier flags, the global statistics and, for each verified driver (or DRIVER"
                    + " only), its pool counters and the allocations it has not freed: address, length, tag,"
                    + " caller; then the same allocations grouped by tag and call site, biggest first. Only"
                    + " drivers verified with Pool Tracking (0x8) have records: 'pooltrack verifier /volatile"
                    + " /adddriver NAME PID' starts recording a loaded driver.",
            "",
            "--limit N (default " + OutstandingCommand.DEFAULT_LIMIT + ") lists the N biggest allocations"
                    + " (--limit 0 lists all) so that a JVM holding millions is not asked for them all; the"
                    + " counters above the rows always count every allocation.",
            ""
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitStatus.SUCCESS + ":the listing was printed",
            ExitStatus.ERROR + ":error: bad input, no such JVM or driver, no PoolTrack in the JVM, a bad report file"
        })
final class OutstandingCommand implements Callable<Integer> {

    /** The rows listed unless --limit says otherwise. */
    static final int DEFAULT_LIMIT = 1000;

    private final PoolSources sources;

    @Spec
    CommandSpec spec;

    @Parameters(
            arity = "0..2",
            paramLabel = "ARG",
            description = "[PID] [DRIVER]; without --pid or --report the first is the pid.")
    List<String> arguments = new ArrayList<>();

    @Option(names = "--pid", paramLabel = "PID", description = "The JVM to read.")
    Long pid;

    @Option(names = "--report", paramLabel = "FILE", description = "Read a bug check report file instead of a JVM.")
    Path report;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "List the N biggest allocations (default ${DEFAULT-VALUE}; 0 for all).",
            defaultValue = "" + DEFAULT_LIMIT)
    int limit;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** The command, reading JVMs through {@code sources}. */
    OutstandingCommand(PoolSources sources) {
        this.sources = sources;
    }

    @Override
    public Integer call() {
        List<String> rest = new ArrayList<>(arguments);
        Long target = pid;
        if (target == null && report == null && !rest.isEmpty()) {
            target = Targets.pid(rest.removeFirst());
        }
        if (rest.size() > 1) {
            throw new CommandException("unexpected argument '" + rest.get(1) + "': give [PID] [DRIVER]");
        }
        String driver = rest.isEmpty() ? null : rest.getFirst();
        if (limit < 0) {
            throw new CommandException("bad --limit " + limit + ": give the most rows to list, or 0 for all");
        }

        PoolSnapshot s;
        List<OutstandingAllocation> rows;
        String source;
        try (PoolSource pool = Targets.open(sources, target, report, "outstanding 4242 my-plugin.jar")) {
            s = pool.snapshot();
            rows = pool.outstanding(driver, limit);
            source = pool.describe();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.print(VerifierReport.json(s, driver, rows));
        } else {
            out.print(VerifierReport.text(s, driver, rows));
            long counted = counted(s, driver);
            if (limit > 0 && rows.size() == limit && counted > limit) {
                out.println();
                out.println("Listed the " + limit + " biggest of " + counted + " allocations outstanding in " + source
                        + "; --limit 0 lists all.");
            }
        }
        out.flush();
        return ExitStatus.SUCCESS;
    }

    private static long counted(PoolSnapshot s, String driver) {
        long n = 0;
        for (DriverCounters d : s.drivers()) {
            if (driver == null || d.name().equals(driver)) {
                n += d.currentAllocations();
            }
        }
        return n;
    }
}
