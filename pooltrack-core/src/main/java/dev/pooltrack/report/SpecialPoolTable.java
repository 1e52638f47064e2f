package dev.pooltrack.report;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The special pool slot table of one JVM as a file: where each special pool page pair is, and which
 * allocation (size, tag, pool type, driver, call site) lives or lived there. Special pool keeps it
 * in a file-backed shared mapping, so it stays readable after the JVM dies of a fault on a guard page
 * or a freed page; {@code pooltrack analyze hs_err_pidNNN.log} reads it.
 *
 * <p>The file is {@code pooltrack-specialpool-<pid>.slots} in the settings' report directory
 * ({@link #fileName}). Its
 * layout, little-endian: a 64-byte header ({@code PTSPOOL1}, version, slot count, pid, region base,
 * page size, Verify Start, record size, start time) and then one {@value #RECORD}-byte record a slot.
 *
 * <p>Instances are immutable snapshots of a file; thread-safe.
 */
public final class SpecialPoolTable {

    /* A record's state is written last, after its fields, so a JVM that dies between the two leaves
     * the slot's previous state, never a state with half its fields. */

    /** The file's first eight bytes. */
    public static final byte[] MAGIC = "PTSPOOL1".getBytes(StandardCharsets.US_ASCII);
    /** The header's length. */
    public static final int HEADER = 64;
    /** One slot record's length. */
    public static final int RECORD = 256;

    /** Header offsets. */
    public static final int H_VERSION = 8,
            H_SLOTS = 12,
            H_PID = 16,
            H_BASE = 24,
            H_PAGE = 32,
            H_START = 40,
            H_RECORD = 44,
            H_TIME = 48;

    /** Record offsets. */
    public static final int R_STATE = 0,
            R_TAG = 4,
            R_ADDRESS = 8,
            R_SIZE = 16,
            R_ALLOC_TIME = 24,
            R_FREE_TIME = 32,
            R_THREAD = 40,
            R_POOL_TYPE = 48,
            R_DRIVER_LEN = 52,
            R_SITE_LEN = 54,
            R_DRIVER = 56,
            R_SITE = 120;

    /** Room for the driver's name and the call site's text, in UTF-8 bytes. */
    public static final int DRIVER_BYTES = 64, SITE_BYTES = 136;

    /** Slot states. */
    public static final int NEVER_USED = 0, LIVE = 1, FREED = 2;

    private static final int VERSION = 1;

    /**
     * The table's name for the {@code n}th special pool of a JVM: {@code pooltrack-specialpool-<pid>.slots}
     * for the first (the system pool's, in most programs), {@code pooltrack-specialpool-<pid>-<n>.slots}
     * for the others.
     */
    public static String fileName(long pid, int n) {
        return "pooltrack-specialpool-" + pid + (n <= 1 ? "" : "-" + n) + ".slots";
    }

    /** Whether a file name is one of the tables of the JVM {@code pid}. */
    public static boolean isTableOf(String fileName, long pid) {
        String prefix = "pooltrack-specialpool-" + pid;
        return fileName.startsWith(prefix)
                && fileName.endsWith(".slots")
                && (fileName.length() == prefix.length() + 6 || fileName.charAt(prefix.length()) == '-');
    }

    /** The header's fields, to write. */
    public static void writeHeader(ByteBuffer b, int slots, long pid, long base, long page, boolean start, long now) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, MAGIC);
        b.putInt(H_VERSION, VERSION);
        b.putInt(H_SLOTS, slots);
        b.putLong(H_PID, pid);
        b.putLong(H_BASE, base);
        b.putLong(H_PAGE, page);
        b.putInt(H_START, start ? 1 : 0);
        b.putInt(H_RECORD, RECORD);
        b.putLong(H_TIME, now);
    }

    /** One slot as the table holds it. */
    public record Slot(
            int index,
            int state,
            long address,
            long size,
            int tag,
            int poolType,
            String driver,
            String callSite,
            long threadId,
            long allocatedMillis,
            long freedMillis,
            long pageStart,
            long guardPage) {}

    private final Path file;
    private final ByteBuffer bytes;
    private final int slots;
    private final long pid;
    private final long base;
    private final long page;
    private final boolean verifyStart;

    private SpecialPoolTable(Path file, ByteBuffer bytes) {
        this.file = file;
        this.bytes = bytes;
        this.slots = bytes.getInt(H_SLOTS);
        this.pid = bytes.getLong(H_PID);
        this.base = bytes.getLong(H_BASE);
        this.page = bytes.getLong(H_PAGE);
        this.verifyStart = bytes.getInt(H_START) != 0;
    }

    /**
     * Reads and checks a table file.
     *
     * @throws IllegalArgumentException naming the file if it is missing, unreadable, not a special
     *     pool table, or shorter or longer than its header says
     */
    public static SpecialPoolTable read(Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no special pool table " + file
                    + ": the JVM ran without special pool, or its report directory is elsewhere (use --slots FILE)");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read special pool table " + file + ": " + e.getMessage(), e);
        }
        if (content.length < HEADER || !Arrays.equals(content, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IllegalArgumentException(
                    "not a PoolTrack special pool table: " + file + " (it does not start with PTSPOOL1)");
        }
        ByteBuffer b = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
        int slots = b.getInt(H_SLOTS);
        long page = b.getLong(H_PAGE);
        if (b.getInt(H_VERSION) != VERSION
                || b.getInt(H_RECORD) != RECORD
                || slots < 1
                || page < 4096
                || Long.bitCount(page) != 1) {
            throw new IllegalArgumentException(
                    "special pool table " + file + " has a header this PoolTrack cannot read");
        }
        long expected = HEADER + (long) slots * RECORD;
        if (content.length != expected) {
            throw new IllegalArgumentException("special pool table " + file + " is truncated or damaged: "
                    + content.length + " bytes where its header says " + expected);
        }
        return new SpecialPoolTable(file, b);
    }

    /** The table file read. */
    public Path file() {
        return file;
    }

    /** The process id of the JVM that wrote the table. */
    public long pid() {
        return pid;
    }

    /** The number of slots. */
    public int slotCount() {
        return slots;
    }

    /** The page size of the JVM's special pool. */
    public long pageSize() {
        return page;
    }

    /** Whether the JVM placed buffers with Verify Start. */
    public boolean verifyStart() {
        return verifyStart;
    }

    /** The special pool's address range, {@code [start, end)}. */
    public long[] range() {
        return new long[] {base, base + 2L * page * slots};
    }

    /** The slot whose page pair holds {@code address}, if any. */
    public Optional<Slot> slotAt(long address) {
        long offset = address - base;
        if (offset < 0 || offset >= 2L * page * slots) {
            return Optional.empty();
        }
        return Optional.of(slot((int) (offset / (2 * page))));
    }

    /** Slot {@code i}. */
    public Slot slot(int i) {
        int r = HEADER + i * RECORD;
        long pair = base + 2L * page * i;
        long data = verifyStart ? pair + page : pair;
        long guard = verifyStart ? pair : pair + page;
        return new Slot(
                i,
                bytes.getInt(r + R_STATE),
                bytes.getLong(r + R_ADDRESS),
                bytes.getLong(r + R_SIZE),
                bytes.getInt(r + R_TAG),
                bytes.getInt(r + R_POOL_TYPE),
                text(r + R_DRIVER, bytes.getShort(r + R_DRIVER_LEN), DRIVER_BYTES),
                text(r + R_SITE, bytes.getShort(r + R_SITE_LEN), SITE_BYTES),
                bytes.getLong(r + R_THREAD),
                bytes.getLong(r + R_ALLOC_TIME),
                bytes.getLong(r + R_FREE_TIME),
                data,
                guard);
    }

    private String text(int at, int length, int max) {
        int n = Math.max(0, Math.min(length, max));
        return new String(bytes.array(), at, n, StandardCharsets.UTF_8);
    }

    /** {@code text} as at most {@code max} bytes of UTF-8, cut at a character boundary. */
    public static byte[] utf8(String text, int max) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (b.length <= max) {
            return b;
        }
        int n = max;
        while (n > 0 && (b[n] & 0xC0) == 0x80) {
            n--;
        }
        return Arrays.copyOf(b, n);
    }
}
