package dev.pooltrack.report;

import static dev.pooltrack.report.Json.object;

import dev.pooltrack.CallSite;
import dev.pooltrack.DriverCounters;
import dev.pooltrack.GlobalCounters;
import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.Tag;
import dev.pooltrack.VerifierFlags;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The {@code !verifier 3 [driver]} listing: the verifier flags in force, the global statistics, and
 * for each verified driver its pool counters and the allocations it has not freed, with their
 * callers.
 *
 * <p>The layout is the Windows 8 one (reference §5). Where Windows prints a return address and a
 * symbol in the Caller column, PoolTrack prints the symbol ({@code StorageDriver!readBlock}) and the
 * call site as a stack trace element. After each driver's rows PoolTrack adds what Windows leaves to
 * {@code ln} and the reader: the same allocations grouped by tag and call site, biggest first, and
 * their total. The statistics RaiseIrqls, AcquireSpinLocks, Synch Executions and Trims have no
 * counterpart on the JVM and read 0x0. Thread-safe (stateless); the output depends on the arguments
 * alone.
 */
public final class VerifierReport {

    /* Windows prints the module's address after "MODULE:" and the contiguous-memory counters after
     * the pool ones; the JVM has neither. Statistic labels are those of reference §4.4, including
     * the three spaces after "Resource Allocations Failed Deliberately". Addresses are 16 lower-case
     * hex digits (a 64-bit debugger's form); lengths and byte counts upper-case, as Windows prints
     * "Current Pool Bytes". */

    private static final String NO_DRIVERS = "No drivers are currently verified.";

    private VerifierReport() {}

    /**
     * The listing.
     *
     * @param s the counters
     * @param driverOrNull the driver to list, or {@code null} for every driver that is verified or
     *     has allocations outstanding
     * @param outstanding the allocations not freed; each is listed under its {@link
     *     OutstandingAllocation#driver()}, sorted by address
     * @throws NullPointerException if {@code s} or {@code outstanding} is null
     */
    public static String text(PoolSnapshot s, String driverOrNull, List<OutstandingAllocation> outstanding) {
        Objects.requireNonNull(outstanding, "outstanding");
        StringBuilder out = new StringBuilder();
        out.append(String.format("Verify Flags Level 0x%08x", s.level())).append("\n\n");
        appendFlags(out, s.level());
        out.append("\nSummary of All Verifier Statistics\n\n");
        appendStatistics(out, s.global());
        out.append("\nDriver Verification List\n");
        List<String> modules = modules(s, driverOrNull, outstanding);
        if (modules.isEmpty()) {
            out.append("\n  ").append(NO_DRIVERS).append('\n');
        }
        for (String name : modules) {
            DriverCounters d = s.driver(name);
            out.append("\n  MODULE: ")
                    .append(Layout.printable(name))
                    .append(
                            d == null
                                    ? " (not in the snapshot)"
                                    : " (" + d.status().displayName() + ")")
                    .append('\n');
            if (d != null) {
                out.append("\n    Pool Allocation Statistics: ( NonPagedPool / PagedPool )\n\n");
                pair(
                        out,
                        "Current Pool Allocations: ",
                        d.currentNonPagedPoolAllocations(),
                        d.currentPagedPoolAllocations());
                pair(out, "Current Pool Bytes:       ", d.nonPagedPoolUsageInBytes(), d.pagedPoolUsageInBytes());
                pair(out, "Peak Pool Allocations:    ", d.peakNonPagedPoolAllocations(), d.peakPagedPoolAllocations());
                pair(
                        out,
                        "Peak Pool Bytes:          ",
                        d.peakNonPagedPoolUsageInBytes(),
                        d.peakPagedPoolUsageInBytes());
            }
            out.append('\n');
            appendAllocations(out, of(name, outstanding));
        }
        return out.toString();
    }

    /**
     * The same listing as JSON: {@code level}, {@code flags} (each with {@code value}, {@code name},
     * {@code standard}, {@code enabled}), {@code statistics}, and {@code modules}, each with the
     * driver's counters, {@code allocations} (addresses as hex strings), {@code byCallSite}, {@code
     * outstandingAllocations} and {@code outstandingBytes}.
     *
     * @throws NullPointerException as {@link #text}
     */
    public static String json(PoolSnapshot s, String driverOrNull, List<OutstandingAllocation> outstanding) {
        Objects.requireNonNull(outstanding, "outstanding");
        List<Object> flags = new ArrayList<>();
        flags.add(object("value", 0, "name", "Automatic Checks", "standard", true, "enabled", true));
        for (VerifierFlags.Flag f : VerifierFlags.all()) {
            flags.add(object(
                    "value", f.value(),
                    "name", f.name(),
                    "standard", f.standard(),
                    "enabled", (s.level() & f.value()) != 0));
        }
        Map<String, Object> statistics =
                object("raiseIrqls", 0, "acquireSpinLocks", 0, "synchronizeExecutions", 0, "trims", 0);
        statistics.putAll(ModelJson.global(s.global()));
        List<Object> modules = new ArrayList<>();
        for (String name : modules(s, driverOrNull, outstanding)) {
            DriverCounters d = s.driver(name);
            Map<String, Object> module = d == null ? object("name", name, "status", null) : ModelJson.driver(d);
            module.putAll(allocationsJson(of(name, outstanding)));
            modules.add(module);
        }
        return Json.write(object(
                        "level", s.level(),
                        "flags", flags,
                        "statistics", statistics,
                        "modules", modules))
                + "\n";
    }

    // ---- shared with AnalyzeReport ----

    /** Appends the Pool Allocations rows (sorted by address) and the by-call-site groups and total. */
    static void appendAllocations(StringBuilder out, List<OutstandingAllocation> allocations) {
        if (allocations.isEmpty()) {
            out.append("    Pool Allocations: none outstanding\n");
            return;
        }
        List<OutstandingAllocation> rows = byAddress(allocations);
        int lengthWidth = 10;
        for (OutstandingAllocation a : rows) {
            lengthWidth = Math.max(lengthWidth, Layout.hex8(a.length()).length());
        }
        out.append("    Pool Allocations:\n\n");
        out.append("      ")
                .append(Layout.left("Address", 18))
                .append("  ")
                .append(Layout.left("Length", lengthWidth))
                .append("  Tag   Caller\n");
        out.append("      ")
                .append("-".repeat(18))
                .append("  ")
                .append("-".repeat(lengthWidth))
                .append("  ----  ------\n");
        for (OutstandingAllocation a : rows) {
            out.append("      ")
                    .append(ModelJson.address(a.address()))
                    .append("  ")
                    .append(Layout.left(Layout.hex8(a.length()), lengthWidth))
                    .append("  ")
                    .append(a.tag().text())
                    .append("  ")
                    .append(Layout.printable(a.callSite().symbol()))
                    .append("  ")
                    .append(Layout.printable(a.callSite().toString()))
                    .append('\n');
        }

        List<Group> groups = groups(allocations);
        long totalAllocs = 0;
        long totalBytes = 0;
        int allocsWidth = 6;
        int bytesWidth = 10;
        for (Group g : groups) {
            totalAllocs += g.allocs;
            totalBytes += g.bytes;
            allocsWidth = Math.max(allocsWidth, Layout.width(g.allocs));
            bytesWidth = Math.max(bytesWidth, Layout.hex8(g.bytes).length());
        }
        out.append("\n    Outstanding by call site (biggest first):\n\n");
        out.append("      ")
                .append(Layout.right("Allocs", allocsWidth))
                .append(Layout.right("Bytes", 3 + bytesWidth))
                .append("  Tag   Caller\n");
        for (Group g : groups) {
            out.append("      ")
                    .append(Layout.right(g.allocs, allocsWidth))
                    .append("   ")
                    .append(Layout.right(Layout.hex8(g.bytes), bytesWidth))
                    .append("  ")
                    .append(g.tag.text())
                    .append("  ")
                    .append(Layout.printable(g.site.toString()))
                    .append('\n');
        }
        out.append("      TOTAL ")
                .append(totalAllocs)
                .append(totalAllocs == 1 ? " allocation, " : " allocations, ")
                .append(Layout.hex8(totalBytes))
                .append(" bytes\n");
    }

    /** The allocations, by-call-site groups and totals as JSON members. */
    static Map<String, Object> allocationsJson(List<OutstandingAllocation> allocations) {
        List<Object> groups = new ArrayList<>();
        long totalAllocs = 0;
        long totalBytes = 0;
        for (Group g : groups(allocations)) {
            totalAllocs += g.allocs;
            totalBytes += g.bytes;
            groups.add(object(
                    "allocs", g.allocs,
                    "bytes", g.bytes,
                    "tag", g.tag.toString(),
                    "tagValue", g.tag.hex(),
                    "caller", g.site.toString(),
                    "callSite", ModelJson.callSite(g.site)));
        }
        return object(
                "allocations", ModelJson.outstanding(byAddress(allocations)),
                "byCallSite", groups,
                "outstandingAllocations", totalAllocs,
                "outstandingBytes", totalBytes);
    }

    // ---- parts ----

    private static void appendFlags(StringBuilder out, int level) {
        out.append("  STANDARD FLAGS:\n");
        flag(out, true, 0, "Automatic Checks");
        int known = 0;
        for (VerifierFlags.Flag f : VerifierFlags.all()) {
            known |= f.value();
            if (f.standard()) {
                flag(out, (level & f.value()) != 0, f.value(), f.name());
            }
        }
        out.append("\n  ADDITIONAL FLAGS:\n");
        for (VerifierFlags.Flag f : VerifierFlags.all()) {
            if (!f.standard()) {
                flag(out, (level & f.value()) != 0, f.value(), f.name());
            }
        }
        int reserved = level & ~known;
        if (reserved != 0) {
            out.append("\n  RESERVED FLAGS (use of these flags is unsupported):\n");
            for (int bit = 1; bit != 0; bit <<= 1) {
                if ((reserved & bit) != 0) {
                    flag(out, true, bit, "Unused or reserved flag");
                }
            }
        }
        out.append("\n    [X] Indicates flag is enabled\n");
    }

    private static void flag(StringBuilder out, boolean on, int value, String name) {
        out.append("    [")
                .append(on ? 'X' : ' ')
                .append("] (")
                .append(String.format("0x%08x", value))
                .append(") ")
                .append(name)
                .append('\n');
    }

    private static void appendStatistics(StringBuilder out, GlobalCounters g) {
        statistic(out, "RaiseIrqls", 0);
        statistic(out, "AcquireSpinLocks", 0);
        statistic(out, "Synch Executions", 0);
        statistic(out, "Trims", 0);
        out.append('\n');
        statistic(out, "Pool Allocations Attempted", g.allocationsAttempted());
        statistic(out, "Pool Allocations Succeeded", g.allocationsSucceeded());
        statistic(out, "Pool Allocations Succeeded SpecialPool", g.allocationsSucceededSpecialPool());
        statistic(out, "Pool Allocations With NO TAG", g.allocationsWithNoTag());
        statistic(out, "Pool Allocations Failed", g.allocationsFailed());
        out.append("  Resource Allocations Failed Deliberately   0x")
                .append(Long.toHexString(g.allocationsFailedDeliberately()))
                .append('\n');
        out.append('\n');
        current(out, "Current paged pool allocations", g.currentPagedPoolAllocations(), g.pagedPoolUsageInBytes());
        current(out, "Peak paged pool allocations", g.peakPagedPoolAllocations(), g.peakPagedPoolUsageInBytes());
        current(
                out,
                "Current nonpaged pool allocations",
                g.currentNonPagedPoolAllocations(),
                g.nonPagedPoolUsageInBytes());
        current(
                out,
                "Peak nonpaged pool allocations",
                g.peakNonPagedPoolAllocations(),
                g.peakNonPagedPoolUsageInBytes());
    }

    private static void statistic(StringBuilder out, String label, long value) {
        out.append("  ")
                .append(Layout.left(label, 38))
                .append(" 0x")
                .append(Long.toHexString(value))
                .append('\n');
    }

    private static void current(StringBuilder out, String label, long count, long bytes) {
        out.append("  ")
                .append(Layout.left(label, 38))
                .append(" 0x")
                .append(Long.toHexString(count))
                .append(" for ")
                .append(String.format("%08X", bytes))
                .append(" bytes\n");
    }

    private static void pair(StringBuilder out, String label, long nonPaged, long paged) {
        out.append("      ")
                .append(label)
                .append("( ")
                .append(Layout.hex8(nonPaged))
                .append(" / ")
                .append(Layout.hex8(paged))
                .append(" )\n");
    }

    private static List<String> modules(PoolSnapshot s, String driverOrNull, List<OutstandingAllocation> outstanding) {
        if (driverOrNull != null) {
            return List.of(driverOrNull);
        }
        TreeSet<String> withAllocations = new TreeSet<>();
        for (OutstandingAllocation a : outstanding) {
            withAllocations.add(a.driver());
        }
        List<String> names = new ArrayList<>();
        for (DriverCounters d : s.drivers()) {
            if (d.verified() || withAllocations.contains(d.name())) {
                names.add(d.name());
            }
            withAllocations.remove(d.name());
        }
        names.addAll(withAllocations);
        return names;
    }

    private static List<OutstandingAllocation> of(String driver, List<OutstandingAllocation> outstanding) {
        return outstanding.stream().filter(a -> driver.equals(a.driver())).toList();
    }

    private static List<OutstandingAllocation> byAddress(List<OutstandingAllocation> allocations) {
        return allocations.stream()
                .sorted((x, y) -> Long.compareUnsigned(x.address(), y.address()))
                .toList();
    }

    private record Key(Tag tag, CallSite site) {}

    private record Group(Tag tag, CallSite site, long allocs, long bytes) {}

    private static List<Group> groups(List<OutstandingAllocation> allocations) {
        Map<Key, long[]> sums = new LinkedHashMap<>();
        for (OutstandingAllocation a : allocations) {
            long[] sum = sums.computeIfAbsent(new Key(a.tag(), a.callSite()), k -> new long[2]);
            sum[0]++;
            sum[1] += a.length();
        }
        List<Group> groups = new ArrayList<>();
        sums.forEach((k, v) -> groups.add(new Group(k.tag(), k.site(), v[0], v[1])));
        groups.sort(Comparator.comparingLong(Group::bytes)
                .reversed()
                .thenComparing(Comparator.comparingLong(Group::allocs).reversed())
                .thenComparing(Group::tag)
                .thenComparing(g -> g.site().toString()));
        return groups;
    }
}
