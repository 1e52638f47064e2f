package dev.pooltrack.report;

import static dev.pooltrack.report.Json.object;

import dev.pooltrack.BugCheck;
import dev.pooltrack.CallSite;
import dev.pooltrack.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code !analyze -v} text of a violation: the bug check's name and code, what it means, the four
 * arguments with their meanings, the debugging details ({@code BUGCHECK_CODE}, {@code BUGCHECK_P1}..4,
 * {@code BUGCHECK_STR}, driver, thread, call site) and, for a leak at unload, the allocations that
 * were not freed in the {@code !verifier 3} layout.
 *
 * <p>Thread-safe (stateless); the output depends on the violation alone.
 */
public final class AnalyzeReport {

    /* Layout of WinDbg's !analyze -v (the 0xC4/0x62 example of reference §1.1 and [C4-62]): the
     * star banner, "NAME (code)" with the code in lower-case hex, an explanation, "Arguments:" with
     * Argn: value, meaning, then the details as KEY:  value blocks separated by blank lines. The
     * explanations follow Windows' wording where it holds on the JVM; a "driver" here is a unit of
     * Java code that PoolTrack attributes native allocations to. Where Windows passes a pointer (the
     * driver's name), the argument shows the text itself. */

    private static final String BANNER = """
            *******************************************************************************
            *                                                                             *
            *                        Bugcheck Analysis                                    *
            *                                                                             *
            *******************************************************************************
            """;

    private AnalyzeReport() {}

    /**
     * The analysis text.
     *
     * @throws NullPointerException if {@code v} is null
     */
    public static String text(Violation v) {
        StringBuilder out = new StringBuilder(BANNER);
        out.append('\n')
                .append(v.name())
                .append(" (")
                .append(Integer.toHexString(v.code()))
                .append(")\n");
        out.append(explanation(v.code())).append('\n');
        out.append("Arguments:\n");
        for (int n = 1; n <= 4; n++) {
            Violation.Parameter p = v.arg(n);
            out.append("Arg")
                    .append(n)
                    .append(": ")
                    .append(Layout.printable(p.display()))
                    .append(", ")
                    .append(Layout.printable(p.meaning()))
                    .append('\n');
        }
        if (isLeakAtUnload(v)) {
            out.append("\tType !verifier 3 ")
                    .append(Layout.printable(v.driver() == null ? "drivername" : v.driver()))
                    .append(" for info on the allocations that were leaked that caused the bugcheck.\n");
        }
        out.append("\nDebugging Details:\n------------------\n");
        detail(out, "BUGCHECK_CODE: ", Integer.toHexString(v.code()));
        for (int n = 1; n <= 4; n++) {
            Violation.Parameter p = v.arg(n);
            detail(out, "BUGCHECK_P" + n + ":", p.text() != null ? p.text() : Long.toHexString(p.value()));
        }
        detail(out, "BUGCHECK_STR: ", v.bucket());
        if (v.driver() != null) {
            detail(out, "DRIVER:", v.driver());
        }
        if (v.threadName() != null) {
            detail(out, "FAULTING_THREAD:", v.threadName());
        }
        if (!CallSite.UNKNOWN.equals(v.callSite())) {
            detail(out, "CALL_SITE:", v.callSite().toString());
        }
        if (!v.leaked().isEmpty()) {
            out.append("\nLEAKED_ALLOCATIONS:\n\n");
            VerifierReport.appendAllocations(out, v.leaked());
        }
        return out.toString();
    }

    /**
     * The same analysis as JSON: {@code code}, {@code name}, {@code subcode}, {@code bucket}, {@code
     * explanation}, {@code arguments} (each with {@code value}, {@code text}, {@code display} and
     * {@code meaning}), {@code driver}, {@code threadName}, {@code callSite} (null when not recorded),
     * {@code timeMillis}, and for a leak the {@code allocations}, {@code byCallSite} and totals of
     * {@link VerifierReport#json}.
     *
     * @throws NullPointerException if {@code v} is null
     */
    public static String json(Violation v) {
        List<Object> arguments = new ArrayList<>();
        for (Violation.Parameter p : v.parameters()) {
            arguments.add(ModelJson.parameter(p));
        }
        Map<String, Object> json = object(
                "code", v.code(),
                "name", v.name(),
                "subcode", v.subcode(),
                "bucket", v.bucket(),
                "explanation", explanation(v.code()).replace('\n', ' '),
                "arguments", arguments,
                "driver", v.driver(),
                "threadName", v.threadName(),
                "callSite", CallSite.UNKNOWN.equals(v.callSite()) ? null : ModelJson.callSite(v.callSite()),
                "caller",
                        CallSite.UNKNOWN.equals(v.callSite())
                                ? null
                                : v.callSite().toString(),
                "timeMillis", v.timeMillis());
        if (!v.leaked().isEmpty()) {
            json.putAll(VerifierReport.allocationsJson(v.leaked()));
        }
        return Json.write(json) + "\n";
    }

    private static boolean isLeakAtUnload(Violation v) {
        return v.code() == BugCheck.DRIVER_VERIFIER_DETECTED_VIOLATION
                && v.subcode() == BugCheck.UNLOAD_WITH_OUTSTANDING_ALLOCATIONS;
    }

    private static void detail(StringBuilder out, String key, String value) {
        out.append('\n').append(key).append(' ').append(Layout.printable(value)).append('\n');
    }

    private static String explanation(int code) {
        return switch (code) {
            case BugCheck.DRIVER_VERIFIER_DETECTED_VIOLATION -> """
                A driver attempting to corrupt the process has been caught.  This is because
                the driver was named as suspect (verifier /flags 0x8 /driver NAME) and
                PoolTrack has enabled substantial checking of its native memory.  On the JVM
                a driver is a unit of Java code (a jar, a module, a package or a plugin)
                that PoolTrack attributes native allocations to; Arg1 says what it did.""";
            case BugCheck.BAD_POOL_CALLER -> """
                The current thread is making a bad pool request.  Typically this is a free
                with a tag other than the allocation's, or of memory that was already freed.""";
            case BugCheck.SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION -> """
                Special pool has detected memory corruption.  Typically the current thread's
                stack backtrace will reveal the guilty party.""";
            case BugCheck.DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION -> """
                N bytes of memory was allocated and more than N bytes are being referenced.
                This cannot be protected by try-except.  When possible, the guilty driver's
                name is printed.  Special pool put the allocation next to an inaccessible
                guard page, and native code touched that page: the JVM died of the fault.""";
            case BugCheck.DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL -> """
                The driver is referencing memory which was earlier freed.  Special pool
                left the freed pages inaccessible, and native code touched them: the JVM
                died of the fault.  When possible, the guilty driver's name is printed.""";
            case BugCheck.DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS -> """
                A driver failed to release locked pages after an I/O operation, or left
                pages locked when it unloaded.  Arg1 is the call that locked them, Arg2 its
                caller, Arg3 the MDL and Arg4 the number of pages (Pool Tracking tracks
                locked pages, as on Windows since Vista).""";
            default -> "PoolTrack detected a violation of a Driver Verifier rule.";
        };
    }
}
