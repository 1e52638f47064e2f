package dev.pooltrack.report;

import static dev.pooltrack.report.Json.object;

import dev.pooltrack.DriverCounters;
import dev.pooltrack.GlobalCounters;
import dev.pooltrack.PoolSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code verifier /query} counters, in the older verifier.exe style that names each line after
 * its {@code SYSTEM_VERIFIER_INFORMATION} field.
 *
 * <pre>
 * 2025-06-01 12:00:00
 * Level: 00000008
 * RaiseIrqls: 0
 * ...
 * UnTrackedPool: 0
 *
 * Verified drivers:
 *
 * Name: storage-plugin, loads: 1, unloads: 1
 * CurrentPagedPoolAllocations: 0
 * CurrentNonPagedPoolAllocations: 3
 * ...
 * Current Pool Allocations: ( 3 / 0 )
 * </pre>
 *
 * <p>The first line is the snapshot's time as {@code yyyy-MM-dd HH:mm:ss} in UTC. Level is the
 * verifier flags in hex; every other number is decimal. Each driver block ends with the combined
 * line of newer verifier.exe builds, NonPaged first, so a script that greps either form (as WinFsp's
 * leak test does) works unchanged. LockedPages, LockedBytes and PeakLockedBytes count the pages the
 * driver locked through MDLs (LockedBytes and PeakLockedBytes are the names Windows gives them in
 * SYSTEM_VERIFIER_COUNTERS_INFORMATION). RaiseIrqls, AcquireSpinLocks, SynchronizeExecutions and Trims
 * have no counterpart on the JVM and read 0. Thread-safe (stateless); the output depends on the
 * snapshot alone.
 */
public final class QueryReport {

    /* The complete line layout of verifier /query is not documented (reference §4.3, Appendix A):
     * the field names are those of SYSTEM_VERIFIER_INFORMATION (§4.1), the driver heading follows
     * the believed "Name: x.sys, loads: N, unloads: N". The combined line is what WinFsp's
     * run-tests.bat splits at ':' and '/' to fail a test on leaks, so it must hold one ':' and
     * decimal numbers. */

    private QueryReport() {}

    /**
     * The counters of the global verifier and of each verified driver.
     *
     * @throws NullPointerException if {@code s} is null
     */
    public static String text(PoolSnapshot s) {
        GlobalCounters g = s.global();
        StringBuilder out = new StringBuilder();
        out.append(Layout.utc(s.timeMillis())).append('\n');
        out.append(String.format("Level: %08X", s.level())).append('\n');
        line(out, "RaiseIrqls", 0);
        line(out, "AcquireSpinLocks", 0);
        line(out, "SynchronizeExecutions", 0);
        line(out, "AllocationsAttempted", g.allocationsAttempted());
        line(out, "AllocationsSucceeded", g.allocationsSucceeded());
        line(out, "AllocationsSucceededSpecialPool", g.allocationsSucceededSpecialPool());
        line(out, "AllocationsWithNoTag", g.allocationsWithNoTag());
        line(out, "AllocationsFailed", g.allocationsFailed());
        line(out, "AllocationsFailedDeliberately", g.allocationsFailedDeliberately());
        line(out, "Trims", 0);
        line(out, "UnTrackedPool", g.unTrackedPool());
        out.append("\nVerified drivers:\n");
        List<DriverCounters> verified = verified(s);
        if (verified.isEmpty()) {
            out.append("\nNo drivers are currently verified.\n");
        }
        for (DriverCounters d : verified) {
            out.append("\nName: ")
                    .append(Layout.printable(d.name()))
                    .append(", loads: ")
                    .append(d.loads())
                    .append(", unloads: ")
                    .append(d.unloads())
                    .append('\n');
            line(out, "CurrentPagedPoolAllocations", d.currentPagedPoolAllocations());
            line(out, "CurrentNonPagedPoolAllocations", d.currentNonPagedPoolAllocations());
            line(out, "PeakPagedPoolAllocations", d.peakPagedPoolAllocations());
            line(out, "PeakNonPagedPoolAllocations", d.peakNonPagedPoolAllocations());
            line(out, "PagedPoolUsageInBytes", d.pagedPoolUsageInBytes());
            line(out, "NonPagedPoolUsageInBytes", d.nonPagedPoolUsageInBytes());
            line(out, "PeakPagedPoolUsageInBytes", d.peakPagedPoolUsageInBytes());
            line(out, "PeakNonPagedPoolUsageInBytes", d.peakNonPagedPoolUsageInBytes());
            line(out, "LockedPages", d.lockedPages());
            line(out, "LockedBytes", d.lockedBytes());
            line(out, "PeakLockedBytes", d.peakLockedBytes());
            out.append("Current Pool Allocations: ( ")
                    .append(d.currentNonPagedPoolAllocations())
                    .append(" / ")
                    .append(d.currentPagedPoolAllocations())
                    .append(" )\n");
        }
        return out.toString();
    }

    /**
     * The same counters as JSON: {@code timeMillis}, {@code time}, {@code level}, {@code global}
     * (with the four counters the JVM lacks as 0) and {@code drivers}, the verified drivers' counters.
     *
     * @throws NullPointerException if {@code s} is null
     */
    public static String json(PoolSnapshot s) {
        Map<String, Object> global =
                object("raiseIrqls", 0, "acquireSpinLocks", 0, "synchronizeExecutions", 0, "trims", 0);
        global.putAll(ModelJson.global(s.global()));
        List<Object> drivers = new ArrayList<>();
        for (DriverCounters d : verified(s)) {
            drivers.add(ModelJson.driver(d));
        }
        return Json.write(object(
                        "timeMillis",
                        s.timeMillis(),
                        "time",
                        Layout.utc(s.timeMillis()) + " UTC",
                        "level",
                        s.level(),
                        "global",
                        global,
                        "drivers",
                        drivers))
                + "\n";
    }

    private static List<DriverCounters> verified(PoolSnapshot s) {
        return s.drivers().stream().filter(DriverCounters::verified).toList();
    }

    private static void line(StringBuilder out, String field, long value) {
        out.append(field).append(": ").append(value).append('\n');
    }
}
