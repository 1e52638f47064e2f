package dev.pooltrack.report;

import dev.pooltrack.BugCheck;
import dev.pooltrack.CallSite;
import dev.pooltrack.Tag;
import dev.pooltrack.Violation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The analysis of a JVM that died of a memory fault in special pool: its fatal error log ({@code
 * hs_err_pidNNN.log}) read together with its special pool slot table, as the bug check a crash dump
 * of Windows would show: 0xD6 DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION for a guard page, 0xD5
 * DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL for a freed page, with the allocation's tag, size, driver
 * and call site.
 *
 * <p>Thread-safe (stateless).
 */
public final class FaultAnalysis {

    /* HotSpot writes the faulting address as "si_addr: 0x..." (siginfo), the faulting instruction as
     * "pc=0x..." in the banner, and on x86-64 the page-fault error code as "ERR=0x...", whose bit 1
     * is set for a write (Arg2 of 0xD6/0xD5: 0 read, 1 write). The pid is in the file name HotSpot
     * gives the log and in its banner; the slot table of that pid is looked for beside the log (the
     * working directory of the JVM, where both are written by default) unless named. A JVM may have
     * several special pools (one per PoolTrack pool); the table whose region holds the address wins.
     *
     * Windows raises 0xD6 for any touch of the guard page, so under Verify Start an underrun, which
     * faults on the guard page before the buffer, is 0xD6 too; the explanation says which side. */

    private static final String BANNER = "A fatal error has been detected by the Java Runtime Environment";
    private static final Pattern FILE_PID = Pattern.compile("hs_err_pid(\\d+)\\.log");
    private static final Pattern PID = Pattern.compile("pid=(\\d+)");
    private static final Pattern SI_ADDR = Pattern.compile("si_addr: (0x[0-9a-fA-F]+)");
    private static final Pattern PC = Pattern.compile("at pc=(0x[0-9a-fA-F]+)");
    private static final Pattern ERR = Pattern.compile("ERR=(0x[0-9a-fA-F]+)");
    private static final Pattern SIGNAL = Pattern.compile("#\\s+(SIG[A-Z]+) \\(");

    private FaultAnalysis() {}

    /**
     * What the analysis found.
     *
     * @param violation the bug check, 0xD6 or 0xD5, with Windows' four arguments
     * @param slot the special pool slot the address is in
     * @param table the slot table read
     * @param pid the JVM's process id
     * @param problematicFrame HotSpot's "Problematic frame" line, or empty
     * @param javaCaller the first Java frame outside the JDK on the faulting thread, or empty
     * @param write whether the access was a write (false also when the log does not say)
     */
    public record Result(
            Violation violation,
            SpecialPoolTable.Slot slot,
            SpecialPoolTable table,
            long pid,
            String problematicFrame,
            String javaCaller,
            boolean write) {

        /** The allocation's tag as text, or its value in hex when it is no valid tag. */
        public String tag() {
            return tagText(slot.tag());
        }

        /** The {@code !analyze -v} text with the allocation's details. */
        public String text() {
            StringBuilder out = new StringBuilder(AnalyzeReport.text(violation));
            detail(
                    out,
                    "FAULTING_ADDRESS:",
                    String.format("%016x", violation.arg(1).value()));
            detail(
                    out,
                    "SPECIAL_POOL_ALLOCATION:",
                    String.format(
                            "%016x, %d (0x%x) bytes, tag %s, %s, %s",
                            slot.address(),
                            slot.size(),
                            slot.size(),
                            tagText(slot.tag()),
                            slot.poolType() == 1 ? "PagedPool" : "NonPagedPool",
                            slot.state() == SpecialPoolTable.FREED ? "freed" : "live"));
            detail(
                    out,
                    "PAGES:",
                    String.format(
                            "buffer page %016x, guard page %016x (%s)",
                            slot.pageStart(), slot.guardPage(), table.verifyStart() ? "Verify Start" : "Verify End"));
            detail(out, "ALLOCATION_CALL_SITE:", slot.callSite());
            if (!problematicFrame.isEmpty()) {
                detail(out, "FAULTING_MODULE:", problematicFrame);
            }
            if (!javaCaller.isEmpty()) {
                detail(out, "FAULTING_JAVA_FRAME:", javaCaller);
            }
            detail(out, "PROCESS_ID:", Long.toString(pid));
            detail(out, "SLOT_TABLE:", table.file().toString());
            return out.toString();
        }

        private static void detail(StringBuilder out, String key, String value) {
            out.append('\n')
                    .append(key)
                    .append(' ')
                    .append(Layout.printable(value))
                    .append('\n');
        }
    }

    /** Whether {@code file} looks like a HotSpot fatal error log: by its name, or by its banner. */
    public static boolean isFatalErrorLog(Path file) {
        Path name = file.getFileName();
        if (name != null && FILE_PID.matcher(name.toString()).matches()) {
            return true;
        }
        try (var in = Files.newInputStream(file)) {
            String head = new String(in.readNBytes(512), StandardCharsets.ISO_8859_1);
            return head.contains(BANNER);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Analyzes a fatal error log.
     *
     * @param log the {@code hs_err_pidNNN.log} file
     * @param table the slot table, or {@code null} to find {@code pooltrack-specialpool-<pid>*.slots}
     *     beside the log
     * @throws IllegalArgumentException naming the file if the log is missing, unreadable, not a fatal
     *     error log, cut before its fault address, not a memory fault, or the address is in no special
     *     pool allocation of the JVM
     */
    public static Result analyze(Path log, Path table) {
        String text;
        try {
            text = Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file: " + log);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + log + ": " + e.getMessage(), e);
        }
        if (!text.contains(BANNER)) {
            throw new IllegalArgumentException("not a JVM fatal error log (hs_err file): " + log);
        }
        long pid = pid(log, text);
        Matcher signal = SIGNAL.matcher(text);
        Matcher addr = SI_ADDR.matcher(text);
        if (!addr.find()) {
            if (signal.find()
                    && !signal.group(1).equals("SIGSEGV")
                    && !signal.group(1).equals("SIGBUS")) {
                throw new IllegalArgumentException(log + " records a " + signal.group(1)
                        + ", not a memory fault: special pool has nothing to say about it");
            }
            throw new IllegalArgumentException(
                    log + " is truncated or damaged: it has no faulting address (siginfo ... si_addr)");
        }
        long address = Long.parseUnsignedLong(addr.group(1).substring(2), 16);
        Matcher pc = PC.matcher(text);
        long faultingPc = pc.find() ? Long.parseUnsignedLong(pc.group(1).substring(2), 16) : 0;
        Matcher err = ERR.matcher(text);
        boolean write = err.find() && (Long.parseUnsignedLong(err.group(1).substring(2), 16) & 0x2) != 0;

        SpecialPoolTable t = table != null ? SpecialPoolTable.read(table) : findTable(log, pid, address);
        SpecialPoolTable.Slot slot = owner(t, address)
                .orElseThrow(() -> new IllegalArgumentException(String.format(
                        "the fault at %016x is in special pool (%s) but on no allocation's pages: no slot there"
                                + " was ever used",
                        address, t.file())));
        boolean freed = slot.state() == SpecialPoolTable.FREED;
        int code = freed
                ? BugCheck.DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL
                : BugCheck.DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION;
        String side = t.verifyStart() ? "before the start" : "beyond the end";
        Violation v = new Violation(
                code,
                BugCheck.name(code),
                List.of(
                        Violation.Parameter.number(
                                address,
                                freed
                                        ? "memory referenced (a freed special pool page)."
                                        : "memory referenced (the guard page " + side + " of the allocation)."),
                        Violation.Parameter.number(write ? 1 : 0, "value 0 = read operation, 1 = write operation."),
                        Violation.Parameter.number(faultingPc, "if non-zero, the address which referenced memory."),
                        Violation.Parameter.number(0, "(reserved)")),
                slot.driver().isEmpty() ? null : slot.driver(),
                callSite(slot.callSite()),
                List.of(),
                thread(text),
                slot.freedMillis() != 0 ? slot.freedMillis() : slot.allocatedMillis());
        return new Result(v, slot, t, pid, problematicFrame(text), javaCaller(text), write);
    }

    /* The slot whose pages hold the address; a guard page belongs to the slot whose buffer it guards,
     * or failing that to the neighbour whose buffer it touches (an underrun under Verify End reaches
     * the previous pair's guard page, an overrun under Verify Start the next pair's). */
    private static Optional<SpecialPoolTable.Slot> owner(SpecialPoolTable t, long address) {
        Optional<SpecialPoolTable.Slot> at = t.slotAt(address);
        if (at.isEmpty()) {
            return at;
        }
        SpecialPoolTable.Slot s = at.get();
        if (s.state() != SpecialPoolTable.NEVER_USED) {
            return at;
        }
        boolean inGuard = address >= s.guardPage() && address < s.guardPage() + t.pageSize();
        if (!inGuard) {
            return Optional.empty();
        }
        int neighbour = t.verifyStart() ? s.index() - 1 : s.index() + 1;
        if (neighbour < 0 || neighbour >= t.slotCount()) {
            return Optional.empty();
        }
        SpecialPoolTable.Slot n = t.slot(neighbour);
        return n.state() == SpecialPoolTable.NEVER_USED ? Optional.empty() : Optional.of(n);
    }

    private static SpecialPoolTable findTable(Path log, long pid, long address) {
        Path dir = log.toAbsolutePath().getParent();
        List<Path> tables = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> SpecialPoolTable.isTableOf(p.getFileName().toString(), pid))
                    .sorted()
                    .forEach(tables::add);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("no special pool table of JVM " + pid + " beside " + log
                    + " (" + SpecialPoolTable.fileName(pid, 1)
                    + "): the JVM ran without special pool, or its report directory is elsewhere (use --slots FILE)");
        }
        for (Path p : tables) {
            SpecialPoolTable t = SpecialPoolTable.read(p);
            if (t.slotAt(address).isPresent()) {
                return t;
            }
        }
        throw new IllegalArgumentException(String.format(
                "the fault at %016x is not in special pool: JVM %d's special pool (%s) does not hold that"
                        + " address, so the fault is not one special pool caught",
                address, pid, tables.getFirst()));
    }

    private static long pid(Path log, String text) {
        Path name = log.getFileName();
        Matcher m = FILE_PID.matcher(name == null ? "" : name.toString());
        if (m.matches()) {
            return Long.parseLong(m.group(1));
        }
        Matcher p = PID.matcher(text);
        if (p.find()) {
            return Long.parseLong(p.group(1));
        }
        throw new IllegalArgumentException(log + " names no process id (no hs_err_pidNNN.log name, no pid=NNN)");
    }

    private static String problematicFrame(String text) {
        int at = text.indexOf("# Problematic frame:\n");
        if (at < 0) {
            return "";
        }
        int start = at + "# Problematic frame:\n".length();
        int end = text.indexOf('\n', start);
        return text.substring(start, end < 0 ? text.length() : end)
                .replaceFirst("^#\\s*", "")
                .strip();
    }

    private static String javaCaller(String text) {
        for (String line : text.lines().toList()) {
            if (line.startsWith("j  ") || line.startsWith("J ")) {
                String frame = line.replaceFirst("^J \\d+ \\S+\\s+", "").replaceFirst("^j\\s+", "");
                if (!frame.startsWith("java.") && !frame.startsWith("jdk.") && !frame.startsWith("sun.")) {
                    return frame.replaceFirst(" \\S+@\\S+$", "").strip();
                }
            }
        }
        return "";
    }

    private static String thread(String text) {
        Matcher m = Pattern.compile("Current thread \\([^)]*\\):\\s+\\w+ \"([^\"]*)\"")
                .matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /* CallSite.toString's form, com.example.Plugin.read(Plugin.java:42), read back. */
    static CallSite callSite(String text) {
        Matcher m = Pattern.compile("^(.+)\\.([^.(]+)\\((.*)\\)$").matcher(text);
        if (!m.matches()) {
            return CallSite.UNKNOWN;
        }
        String where = m.group(3);
        int colon = where.lastIndexOf(':');
        if (where.equals("Unknown Source")) {
            return new CallSite(m.group(1), m.group(2), null, -1, -1);
        }
        if (colon > 0) {
            try {
                return new CallSite(
                        m.group(1),
                        m.group(2),
                        where.substring(0, colon),
                        Integer.parseInt(where.substring(colon + 1)),
                        -1);
            } catch (NumberFormatException e) {
                return new CallSite(m.group(1), m.group(2), where, -1, -1);
            }
        }
        return new CallSite(m.group(1), m.group(2), where, -1, -1);
    }

    private static String tagText(int tag) {
        try {
            return Tag.ofValue(tag).toString();
        } catch (IllegalArgumentException e) {
            return String.format("0x%08X", tag);
        }
    }
}
