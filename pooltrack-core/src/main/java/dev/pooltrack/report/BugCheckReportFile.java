package dev.pooltrack.report;

import static dev.pooltrack.report.Json.object;

import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.Violation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The bug check report file: PoolTrack's crash dump, written when a violation halts the JVM and read
 * back by the CLI.
 *
 * <p>One UTF-8 text file, {@code pooltrack-bugcheck-<pid>-<yyyyMMdd-HHmmss>-<code>.txt} (time of the
 * violation in UTC, code in lower-case hex, {@code -2}, {@code -3}... added if the name is taken):
 *
 * <pre>
 * POOLTRACK BUGCHECK REPORT 1
 * -----BEGIN ANALYZE-----
 * (the !analyze -v text)
 * -----END ANALYZE-----
 * -----BEGIN VERIFIER-----
 * (the !verifier 3 text for the violation's driver, or for all drivers if it has none)
 * -----END VERIFIER-----
 * -----BEGIN QUERY-----
 * (the verifier /query text)
 * -----END QUERY-----
 * -----BEGIN JSON-----
 * {"format": 1, "pid": ..., "violation": {...}, "snapshot": {...}, "outstanding": [...]}
 * -----END JSON-----
 * END OF REPORT crc32=1a2b3c4d
 * </pre>
 *
 * <p>The CRC-32 covers every byte before the last line. A reader accepts a file only when the first
 * line names a format version it knows and the last line's CRC matches, so a file cut short by a
 * dying JVM or changed afterwards is refused, never half-read. Thread-safe (stateless).
 */
public final class BugCheckReportFile {

    /* Atomicity: the report goes to a hidden temporary file in the target directory, is forced to
     * disk, then renamed to the final name, so the final name never holds a partial report. A name
     * already taken gets a -2, -3... suffix; two JVMs with the same pid writing in the same second
     * could still race for one name, which a halting JVM does not need to guard against. The
     * CRC line catches what the rename cannot (a file system without atomic rename, a copy cut
     * short, an edit). write() runs on the thread that raised the violation just before Runtime.halt:
     * no threads, no lazy services, only java.nio and the report classes, which are already loaded
     * once any report was formatted.
     *
     * Section markers cannot be forged by a driver or thread name: text reports pass every
     * user-supplied string through Layout.printable, so no line inside a section can start with a
     * marker, and JSON lines start with spaces or brackets. */

    /** The format version this PoolTrack writes and reads. */
    public static final int FORMAT_VERSION = 1;

    private static final String MAGIC = "POOLTRACK BUGCHECK REPORT ";
    private static final String END = "END OF REPORT crc32=";
    private static final String[] SECTIONS = {"ANALYZE", "VERIFIER", "QUERY", "JSON"};
    private static final String TRUNCATED = "truncated: no END OF REPORT line (the JVM may have died while writing it)";

    private BugCheckReportFile() {}

    /**
     * A report read back from a file: the three texts as written, and the JSON section.
     *
     * <p>Immutable and thread-safe when built by {@link #read}.
     *
     * @param analyzeText the {@code !analyze -v} text
     * @param verifierText the {@code !verifier 3} text
     * @param queryText the {@code verifier /query} text
     * @param json the machine-readable section: {@code format}, {@code pid}, {@code violation},
     *     {@code snapshot} and {@code outstanding}
     */
    public record Report(String analyzeText, String verifierText, String queryText, Map<String, Object> json) {

        /** The process id of the JVM that wrote the report. */
        public long pid() {
            return ModelJson.number(json, "pid", "report");
        }

        /**
         * The violation that halted the JVM.
         *
         * @throws IllegalArgumentException if the JSON section does not hold one (never for a report
         *     returned by {@link #read})
         */
        public Violation violation() {
            return ModelJson.toViolation(ModelJson.map(json, "violation", "report"), "violation");
        }

        /**
         * The counters at the time of the violation.
         *
         * @throws IllegalArgumentException if the JSON section does not hold them (never for a report
         *     returned by {@link #read})
         */
        public PoolSnapshot snapshot() {
            return ModelJson.toSnapshot(ModelJson.map(json, "snapshot", "report"), "snapshot");
        }

        /**
         * The allocations outstanding at the time of the violation.
         *
         * @throws IllegalArgumentException if the JSON section does not hold them (never for a report
         *     returned by {@link #read})
         */
        public List<OutstandingAllocation> outstanding() {
            return ModelJson.toOutstandingList(ModelJson.list(json, "outstanding", "report"), "outstanding");
        }
    }

    /**
     * Writes the report of a violation atomically into {@code directory}, creating the directory if
     * needed.
     *
     * @return the file written
     * @throws IOException if the directory cannot be created or the file cannot be written; no
     *     temporary file is left behind
     * @throws NullPointerException if an argument is null
     */
    public static Path write(Path directory, Violation v, PoolSnapshot s, List<OutstandingAllocation> outstanding)
            throws IOException {
        return write(directory, v, s, outstanding, ProcessHandle.current().pid());
    }

    static Path write(Path directory, Violation v, PoolSnapshot s, List<OutstandingAllocation> outstanding, long pid)
            throws IOException {
        byte[] bytes = content(v, s, outstanding, pid);
        Files.createDirectories(directory);
        String base = "pooltrack-bugcheck-" + pid + "-" + Layout.utcCompact(v.timeMillis()) + "-"
                + Integer.toHexString(v.code());
        Path target = directory.resolve(base + ".txt");
        for (int n = 2; Files.exists(target); n++) {
            target = directory.resolve(base + "-" + n + ".txt");
        }
        Path temp = directory.resolve("." + target.getFileName() + ".tmp");
        try {
            try (FileChannel channel =
                    FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target);
            }
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        forceDirectory(directory);
        return target;
    }

    /**
     * Reads a report file.
     *
     * @throws BugCheckReportFileException if the file is empty or truncated, fails its CRC, is not a
     *     PoolTrack report, has an unknown format version, or has a malformed section
     * @throws IOException if the file cannot be read
     */
    public static Report read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length == 0) {
            throw new BugCheckReportFileException(
                    file, "truncated: the file is empty (the JVM may have died while writing it)");
        }
        int firstNewline = indexOf(bytes, (byte) '\n', 0);
        if (firstNewline < 0) {
            String start = latin1(bytes, 0, Math.min(bytes.length, 64));
            if (start.startsWith(MAGIC) || MAGIC.startsWith(start)) {
                throw new BugCheckReportFileException(file, TRUNCATED);
            }
            throw foreign(file);
        }
        String firstLine = latin1(bytes, 0, Math.min(firstNewline, 64));
        if (!firstLine.startsWith(MAGIC)) {
            throw foreign(file);
        }
        String version = firstLine.substring(MAGIC.length());
        if (!version.equals(Integer.toString(FORMAT_VERSION))) {
            throw new BugCheckReportFileException(
                    file,
                    "unknown format version '" + Layout.printable(version) + "': this PoolTrack reads version "
                            + FORMAT_VERSION);
        }

        if (bytes[bytes.length - 1] != '\n') {
            throw new BugCheckReportFileException(file, TRUNCATED);
        }
        int lastLineStart = lastIndexOf(bytes, (byte) '\n', bytes.length - 2) + 1;
        String lastLine = latin1(bytes, lastLineStart, bytes.length - 1 - lastLineStart);
        if (!lastLine.matches(END + "[0-9a-f]{8}")) {
            throw new BugCheckReportFileException(file, TRUNCATED);
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, lastLineStart);
        String computed = String.format("%08x", crc.getValue());
        String stated = lastLine.substring(END.length());
        if (!computed.equals(stated)) {
            throw new BugCheckReportFileException(
                    file,
                    "corrupt: the content's CRC-32 is " + computed + " but the END OF REPORT line says " + stated
                            + " (the file was changed or damaged after it was written)");
        }

        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, lastLineStart))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BugCheckReportFileException(file, "corrupt: not UTF-8 text");
        }
        String[] sections = new String[SECTIONS.length];
        int pos = firstNewline + 1;
        for (int i = 0; i < SECTIONS.length; i++) {
            String begin = "-----BEGIN " + SECTIONS[i] + "-----\n";
            String end = "-----END " + SECTIONS[i] + "-----\n";
            if (!text.startsWith(begin, pos)) {
                throw new BugCheckReportFileException(
                        file, "corrupt: expected " + begin.strip() + " at line " + line(text, pos));
            }
            int contentStart = pos + begin.length();
            int endAt = text.startsWith(end, contentStart) ? contentStart : text.indexOf("\n" + end, contentStart) + 1;
            if (endAt == 0) {
                throw new BugCheckReportFileException(file, "corrupt: no " + end.strip() + " line");
            }
            sections[i] = text.substring(contentStart, endAt);
            pos = endAt + end.length();
        }
        if (pos != text.length()) {
            throw new BugCheckReportFileException(
                    file, "corrupt: unexpected text at line " + line(text, pos) + " before END OF REPORT");
        }

        Map<String, Object> json;
        try {
            json = toStringKeyed(ModelJson.asObject(Json.parse(sections[3]), "JSON section"));
            Report report = new Report(sections[0], sections[1], sections[2], json);
            long format = ModelJson.number(json, "format", "JSON section");
            if (format != FORMAT_VERSION) {
                throw new IllegalArgumentException(
                        "format is " + format + " but the first line says " + FORMAT_VERSION);
            }
            report.pid();
            report.violation();
            report.snapshot();
            report.outstanding();
            return report;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new BugCheckReportFileException(file, "corrupt JSON section: " + e.getMessage());
        }
    }

    /** The file's bytes: everything, including the END OF REPORT line. */
    static byte[] content(Violation v, PoolSnapshot s, List<OutstandingAllocation> outstanding, long pid) {
        StringBuilder out = new StringBuilder(16 * 1024);
        out.append(MAGIC).append(FORMAT_VERSION).append('\n');
        section(out, SECTIONS[0], AnalyzeReport.text(v));
        section(out, SECTIONS[1], VerifierReport.text(s, v.driver(), outstanding));
        section(out, SECTIONS[2], QueryReport.text(s));
        section(
                out,
                SECTIONS[3],
                Json.write(object(
                                "format", FORMAT_VERSION,
                                "pid", pid,
                                "violation", ModelJson.violation(v),
                                "snapshot", ModelJson.snapshot(s),
                                "outstanding", ModelJson.outstanding(outstanding)))
                        + "\n");
        byte[] body = out.toString().getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(body);
        byte[] end = String.format("%s%08x\n", END, crc.getValue()).getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[body.length + end.length];
        System.arraycopy(body, 0, all, 0, body.length);
        System.arraycopy(end, 0, all, body.length, end.length);
        return all;
    }

    private static void section(StringBuilder out, String name, String text) {
        out.append("-----BEGIN ").append(name).append("-----\n");
        out.append(text);
        if (!text.endsWith("\n")) {
            out.append('\n');
        }
        out.append("-----END ").append(name).append("-----\n");
    }

    /** Makes the rename durable where the platform allows syncing a directory (not on Windows). */
    private static void forceDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Best effort: the file itself is on disk; only the rename may be lost in a power cut.
        }
    }

    private static BugCheckReportFileException foreign(Path file) {
        return new BugCheckReportFileException(
                file, "not a PoolTrack bug check report: the first line is not '" + MAGIC + FORMAT_VERSION + "'");
    }

    private static Map<String, Object> toStringKeyed(Map<?, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put((String) k, v));
        return Collections.unmodifiableMap(copy);
    }

    private static int line(String text, int pos) {
        int line = 1;
        for (int i = 0; i < pos; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static String latin1(byte[] bytes, int from, int length) {
        return new String(bytes, from, length, StandardCharsets.ISO_8859_1);
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i >= 0; i--) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
