package dev.pooltrack.agent;

import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.report.AtomicWrite;
import dev.pooltrack.report.Json;
import dev.pooltrack.report.PoolJson;
import dev.pooltrack.report.VerifierReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report the agent writes at exit ({@code report=FILE}): the outstanding allocations of each
 * verified driver in {@code !verifier 3} form, then the unique tag map and the outstanding stacks,
 * in FILE; the same as JSON next to it. Each file is written atomically (a temporary file, forced,
 * then renamed), so a reader sees a whole report or none.
 *
 * <p>Thread-safe (stateless).
 */
final class ExitReport {

    private ExitReport() {}

    /** Writes the report at JVM exit, saying where on stderr; failures are printed, not thrown. */
    static void writeQuietly(AgentRuntime rt) {
        try {
            Path json = write(rt, rt.options.report());
            if (!rt.options.quiet()) {
                System.err.println("pooltrack-agent: report written to " + rt.options.report() + " and " + json);
            }
        } catch (RuntimeException e) {
            System.err.println("pooltrack-agent: could not write the report " + rt.options.report() + ": " + e);
        }
    }

    /**
     * Writes the text report to {@code text} and the JSON beside it.
     *
     * @return the JSON file
     * @throws UncheckedIOException if a file cannot be written
     */
    static Path write(AgentRuntime rt, Path text) {
        return rt.untracked(() -> writeUntracked(rt, text));
    }

    private static Path writeUntracked(AgentRuntime rt, Path text) {
        PoolSnapshot snapshot = rt.pool.snapshot();
        List<OutstandingAllocation> outstanding = rt.pool.outstanding(null);
        StringBuilder out = new StringBuilder();
        out.append("PoolTrack agent report, pid ")
                .append(ProcessHandle.current().pid())
                .append(", ")
                .append(Instant.ofEpochMilli(snapshot.timeMillis()))
                .append("\n\n");
        out.append(VerifierReport.text(snapshot, null, outstanding));
        String uniqueTags = AgentManagement.uniqueTagText(rt.pool.uniqueTagMap());
        if (!uniqueTags.isEmpty()) {
            out.append("\nUnique tags (uniquetags): new tag -> call site\n").append(uniqueTags);
        }
        List<StackTable.Group> groups = rt.stacks == null ? List.of() : rt.stacks.groups();
        if (rt.stacks != null) {
            out.append('\n').append(StackTable.text(groups, 0, "captured stacks"));
        }
        if (!rt.pool.violations().isEmpty()) {
            out.append("\nViolations raised: ")
                    .append(rt.pool.violations().size())
                    .append('\n');
            rt.pool
                    .violations()
                    .forEach(v -> out.append("  ").append(v.summary()).append('\n'));
        }

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", "pooltrack-agent-report");
        json.put("version", 1);
        json.put("pid", ProcessHandle.current().pid());
        json.put("timeMillis", snapshot.timeMillis());
        json.put("options", rt.options.text());
        json.put("verifier", Json.parse(VerifierReport.json(snapshot, null, outstanding)));
        json.put("snapshot", Json.parse(PoolJson.write(snapshot)));
        json.put("outstanding", Json.parse(PoolJson.writeOutstanding(outstanding)));
        json.put("violations", Json.parse(PoolJson.writeViolations(rt.pool.violations())));
        Map<String, Object> unique = new LinkedHashMap<>();
        rt.pool.uniqueTagMap().forEach((tag, site) -> unique.put(tag.text(), site.toString()));
        json.put("uniqueTags", unique);
        json.put("stacks", StackTable.json(groups));

        Path jsonFile = jsonSibling(text);
        atomicWrite(text, out.toString());
        atomicWrite(jsonFile, Json.write(json) + "\n");
        return jsonFile;
    }

    static Path jsonSibling(Path text) {
        String name = text.getFileName().toString();
        return text.resolveSibling((name.endsWith(".txt") ? name.substring(0, name.length() - 4) : name) + ".json");
    }

    private static void atomicWrite(Path file, String content) {
        try {
            AtomicWrite.replace(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
