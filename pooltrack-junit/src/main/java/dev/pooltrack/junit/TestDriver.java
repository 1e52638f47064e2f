package dev.pooltrack.junit;

import dev.pooltrack.Driver;
import dev.pooltrack.DriverStatus;
import dev.pooltrack.DriverVerifierError;
import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.TagPattern;
import dev.pooltrack.Violation;
import dev.pooltrack.report.AnalyzeReport;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.opentest4j.AssertionFailedError;

/**
 * The driver of one test (or of one class, in class scope): loaded when the test starts, unloaded
 * and judged when it ends.
 *
 * <p>Thread-safe; {@link #unloadAndCheck} is called once.
 */
final class TestDriver {

    final TestPool pool;
    final Driver driver;
    private final TrackingOptions options;
    private final boolean addedToSettings;

    TestDriver(TestPool pool, Driver driver, TrackingOptions options, boolean addedToSettings) {
        this.pool = pool;
        this.driver = driver;
        this.options = options;
        this.addedToSettings = addedToSettings;
    }

    /**
     * Unloads the driver and fails if it leaked anything that counts.
     *
     * <p>Nothing the test allocated is freed: the memory stays allocated and its records stay in the
     * pool under this driver, which no other test shares, so the next test starts clean. A driver
     * the test unloaded itself is left alone: its unload raised any leak then.
     *
     * @throws AssertionFailedError with the analysis and the listing of the leaked allocations
     */
    void unloadAndCheck() {
        if (driver.status() != DriverStatus.LOADED) {
            pool.forget(driver, addedToSettings);
            pool.takeLeak(driver.name());
            return;
        }
        try {
            driver.unload();
        } catch (DriverVerifierError e) {
            if (!TestPool.isLeakAtUnload(e.violation())
                    || !driver.name().equals(e.violation().driver())) {
                throw e;
            }
        } finally {
            pool.forget(driver, addedToSettings);
        }
        Violation leak = pool.takeLeak(driver.name());
        if (leak == null) {
            return;
        }
        List<OutstandingAllocation> counted = new ArrayList<>();
        List<OutstandingAllocation> ignored = new ArrayList<>();
        for (OutstandingAllocation a : leak.leaked()) {
            (options.counts(a) ? counted : ignored).add(a);
        }
        if (!counted.isEmpty()) {
            throw new AssertionFailedError(message(leak, counted, ignored, options.ignoreTags()));
        }
    }

    /* The message: one line saying what leaked, then WinDbg's !analyze -v text of the bug check with
     * the !verifier 3 rows and the by-call-site groups of the leaked allocations. With tags ignored,
     * the bug check shown is the one the unload would have raised had the ignored allocations been
     * freed: Arg4 and the listing count what the test is failed for, and the first lines say what was
     * left out. */
    static String message(
            Violation leak,
            List<OutstandingAllocation> counted,
            List<OutstandingAllocation> ignored,
            List<TagPattern> ignoreTags) {
        Violation shown = leak;
        if (!ignored.isEmpty()) {
            List<Violation.Parameter> parameters = new ArrayList<>(leak.parameters());
            parameters.set(
                    3, Violation.Parameter.number(counted.size(), leak.arg(4).meaning()));
            shown = new Violation(
                    leak.code(),
                    leak.name(),
                    parameters,
                    leak.driver(),
                    leak.callSite(),
                    counted,
                    leak.threadName(),
                    leak.timeMillis());
        }
        StringBuilder out = new StringBuilder();
        out.append(leak.driver())
                .append(" did not free ")
                .append(amount(counted))
                .append(": ")
                .append(shown.summary())
                .append('\n');
        if (!ignored.isEmpty()) {
            out.append("Not counted: ")
                    .append(amount(ignored))
                    .append(" under the ignored tags ")
                    .append(ignoreTags.stream().map(TagPattern::toString).collect(Collectors.joining(", ")))
                    .append('\n');
        }
        out.append('\n').append(AnalyzeReport.text(shown));
        return out.toString();
    }

    private static String amount(List<OutstandingAllocation> allocations) {
        long bytes = 0;
        for (OutstandingAllocation a : allocations) {
            bytes += a.length();
        }
        return allocations.size() + (allocations.size() == 1 ? " allocation" : " allocations") + " (" + bytes
                + (bytes == 1 ? " byte)" : " bytes)");
    }
}
