package dev.pooltrack.cli;

import dev.pooltrack.report.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pooltrack stacks <recording.jfr | pid>}: what was allocated and not freed, grouped by tag
 * and stack, biggest first.
 */
@Command(
        name = "stacks",
        mixinStandardHelpOptions = true,
        header = "Outstanding native memory grouped by tag and allocating stack, biggest first.",
        description = {
            "",
            "From a JFR recording of a program run with the PoolTrack agent (its dev.pooltrack.Allocation"
                    + " and dev.pooltrack.Free events, for example with"
                    + " -XX:StartFlightRecording:filename=rec.jfr), or from the agent in a running JVM"
                    + " started with stacks=all or stacks=sample:N (the stacks it captured). Windows"
                    + " gets the same from ETW pool tracing (Part 5 of \"Troubleshooting Pool Leaks\").",
            ""
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitStatus.SUCCESS + ":printed",
            ExitStatus.ERROR + ":error: no such file or pid, not a recording, or no PoolTrack agent in the JVM"
        })
final class StacksCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RECORDING.jfr|PID", description = "A JFR recording, or a process id.")
    String source;

    @Option(
            names = {"--top", "/t"},
            paramLabel = "N",
            defaultValue = "20",
            description = "Show the N biggest stacks (default ${DEFAULT-VALUE}; 0 for all).")
    int top;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (top < 0) {
            throw new ParameterException(spec.commandLine(), "bad value " + top + " for --top: give 0 or more");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path file = Path.of(source);
        if (source.chars().allMatch(Character::isDigit) && !Files.exists(file)) {
            long pid = Long.parseLong(source);
            try (AgentConnection c = AgentConnection.open(pid)) {
                String op = json ? "outstandingStacksJson" : "outstandingStacks";
                out.print(c.invoke(op, new Object[] {top}, new String[] {"int"}));
                if (json) {
                    out.println();
                }
            }
        } else {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("no such recording: " + file);
            }
            JfrStacks.Result r;
            try {
                r = JfrStacks.read(file);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + file + " as a JFR recording: " + e.getMessage(), e);
            }
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("recording", file.toString());
                doc.put("allocationEvents", r.allocations());
                doc.put("freeEvents", r.frees());
                doc.put("stacks", JfrStacks.json(r, top));
                out.println(Json.write(doc));
            } else {
                out.print(JfrStacks.text(r, top, "recording " + file.getFileName()));
            }
        }
        out.flush();
        return ExitStatus.SUCCESS;
    }
}
