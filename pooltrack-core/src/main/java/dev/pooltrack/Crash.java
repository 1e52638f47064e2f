package dev.pooltrack;

import dev.pooltrack.report.AnalyzeReport;
import dev.pooltrack.report.BugCheckReportFile;
import java.nio.file.Path;

/**
 * The {@link Response#CRASH} response: write the report file, tell stderr where it is, and halt.
 */
final class Crash {

    /* Runtime.halt, not System.exit: a bug check stops the machine without running anyone's
     * shutdown hooks, which could allocate or free pool and disturb the evidence. The report is
     * written and forced to disk before the halt, atomically (temp file + rename), so it is either
     * complete or absent. */

    private Crash() {}

    static void report(PoolTrack pool, Violation v) {
        int status = v.code() & 0xFF;
        try {
            System.err.println(AnalyzeReport.text(v));
            Path file = BugCheckReportFile.write(
                    pool.settings().reportDirectory(),
                    v,
                    pool.snapshot(),
                    pool.outstanding(v.driver() == null ? null : v.driver()));
            System.err.println("PoolTrack: bug check report written to " + file.toAbsolutePath());
        } catch (Throwable t) {
            System.err.println("PoolTrack: could not write the bug check report: " + t);
        } finally {
            System.err.flush();
            Runtime.getRuntime().halt(status);
        }
    }
}
