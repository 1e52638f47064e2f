package dev.pooltrack.cli;

import dev.pooltrack.cli.source.Jvms;
import dev.pooltrack.report.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pooltrack jvms}: the JVMs the other commands can read, as {@code jcmd} lists them. */
@Command(
        name = "jvms",
        mixinStandardHelpOptions = true,
        header = "Lists the JVMs on this machine that you can attach to: pid and main class, as jcmd does.",
        description = {
            "",
            "Listing reads the JVMs' performance data files and attaches to none of them. --pooltrack"
                    + " also attaches to each and reads from its system properties whether it runs PoolTrack;"
                    + " that starts nothing in the JVM.",
            "",
            "You see your own JVMs (root sees all). A JVM started with -XX:-UsePerfData is not listed."
                    + " Give PIDs to list, and probe, only those.",
            ""
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {ExitStatus.SUCCESS + ":the list was printed (it may be empty)", ExitStatus.ERROR + ":error"})
final class JvmsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = {"-p", "--pooltrack"},
            description = "Attach to each JVM and tell whether it runs PoolTrack.")
    boolean probe;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Parameters(arity = "0..*", paramLabel = "PID", description = "List (and probe) only these JVMs.")
    List<String> pids = new ArrayList<>();

    @Override
    public Integer call() {
        List<Long> only = pids.stream().map(Targets::pid).toList();
        List<Jvms.Jvm> jvms = Jvms.list().stream()
                .filter(j -> only.isEmpty() || only.contains(j.pid()))
                .toList();
        List<Jvms.Probe> probes = new ArrayList<>();
        if (probe) {
            for (Jvms.Jvm j : jvms) {
                probes.add(Jvms.probe(j));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Object> rows = new ArrayList<>();
            for (int i = 0; i < jvms.size(); i++) {
                Jvms.Jvm j = jvms.get(i);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("pid", j.pid());
                row.put("mainClass", j.mainClass());
                row.put("displayName", j.displayName());
                if (probe) {
                    row.put("poolTrack", probes.get(i).state().name());
                    row.put("detail", probes.get(i).detail());
                }
                rows.add(row);
            }
            out.println(Json.write(rows));
        } else {
            int width = Math.max(
                    3,
                    jvms.stream()
                            .mapToInt(j -> Long.toString(j.pid()).length())
                            .max()
                            .orElse(3));
            String format = "%-" + width + "s  %s%n";
            if (probe) {
                out.printf(format, "PID", String.format("%-9s  %s", "POOLTRACK", "JVM"));
            } else {
                out.printf(format, "PID", "JVM");
            }
            for (int i = 0; i < jvms.size(); i++) {
                Jvms.Jvm j = jvms.get(i);
                String jvm = j.displayName().isEmpty() ? "(main class unknown)" : j.displayName();
                if (probe) {
                    Jvms.Probe p = probes.get(i);
                    String state = switch (p.state()) {
                        case PRESENT -> "yes";
                        case ABSENT -> "no";
                        case UNKNOWN -> "?";
                    };
                    out.printf(format, j.pid(), String.format("%-9s  %s", state, jvm));
                    if (p.state() == Jvms.PoolTrackState.UNKNOWN) {
                        out.printf(format, "", "           (" + p.detail() + ")");
                    }
                } else {
                    out.printf(format, j.pid(), jvm);
                }
            }
            if (jvms.isEmpty()) {
                out.println(Jvms.listing(jvms).strip());
            }
        }
        out.flush();
        return ExitStatus.SUCCESS;
    }
}
