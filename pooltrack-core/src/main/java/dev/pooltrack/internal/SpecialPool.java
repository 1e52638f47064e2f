package dev.pooltrack.internal;

import dev.pooltrack.report.SpecialPoolTable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Special pool: each allocation on a page of its own next to an inaccessible guard page, the rest of
 * the page filled with a pattern checked at free, freed pages left inaccessible.
 *
 * <p>One region of {@code 2 * slots} pages is reserved inaccessible ({@code mmap PROT_NONE}) when the
 * pool is made; slot {@code i} is the page pair {@code 2i, 2i+1}. Verify End uses the first page of the
 * pair for data and leaves the second as guard; Verify Start the other way round. An address belongs
 * to special pool when it falls in the region: one subtraction and compare.
 *
 * <p>Thread-safe: allocate and free lock the pool (special pool is a debugging tier, a page and a
 * system call per allocation, so the lock is not the cost).
 */
@SuppressWarnings("restricted") // downcalls to mmap, mprotect and madvise; the region as a segment
public final class SpecialPool {

    /* Windows (reference §2): each allocation gets its own page, the previous and next pages are
     * inaccessible, Verify End places the buffer at the highest address where it fits (so an overrun
     * faults at once) and Verify Start at the page's start. The bytes of the page around the buffer
     * are a pattern checked at free: 0xC1 with P4 = 0x23 for bytes before the buffer, 0x24 for bytes
     * after it, 0x32 when one bit alone differs. The exact Windows pattern is unconfirmed; PoolTrack
     * fills each byte with 0xA5 ^ (its offset in the page * 0x3B), so a memset of any one value or a
     * copy of a neighbouring page shows, and bit flips are told apart from overwrites.
     *
     * x64 pool blocks are 16-byte aligned, so under Verify End the buffer starts at the page end
     * minus its size rounded down to 16: up to 15 bytes of pattern follow it before the guard page.
     * A write there is found at free (0x24), a write further faults at once (0xD6).
     *
     * Freed slots are made inaccessible again and their memory returned (madvise DONTNEED). They
     * queue in first-freed-first-reused order behind the slots never used, so a freed page stays
     * inaccessible as long as possible: until every other slot has been handed out since. When no
     * slot is free the allocation goes to normal pool, as Windows does when special pool runs out. */

    private static final int PROT_NONE = 0, PROT_READ_WRITE = 3;
    private static final int MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    private static final int MADV_DONTNEED = 4;
    private static final long MAP_FAILED = -1;

    /** 0xC1 Arg4 subcodes. */
    public static final int NOT_ALLOCATED = 0x20,
            BAD_ADDRESS = 0x21,
            BEFORE_CORRUPTED = 0x23,
            AFTER_CORRUPTED = 0x24,
            SINGLE_BIT = 0x32;

    private static final MethodHandle MMAP;
    private static final MethodHandle MPROTECT;
    private static final MethodHandle MADVISE;
    private static final MethodHandle SYSCONF;
    private static final int SC_PAGESIZE = 30;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        MMAP = linker.downcallHandle(
                libc.findOrThrow("mmap"),
                FunctionDescriptor.of(
                        ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_LONG));
        MPROTECT = linker.downcallHandle(
                libc.findOrThrow("mprotect"),
                FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        MADVISE = linker.downcallHandle(
                libc.findOrThrow("madvise"),
                FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        SYSCONF = linker.downcallHandle(
                libc.findOrThrow("sysconf"), FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    }

    /** What a free found: the slot's allocation and, if the pattern was damaged, where and how. */
    public record Freed(int subcode, long size, int tag, int poolType, long corruptAddress, long calculatedSize) {
        /** Whether the block was freed (pattern damaged or not); otherwise {@link #subcode} says why not. */
        public boolean released() {
            return subcode == 0 || subcode == BEFORE_CORRUPTED || subcode == AFTER_CORRUPTED || subcode == SINGLE_BIT;
        }
    }

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int slots;
    private final long page;
    private final boolean verifyStart;
    private final long base;
    private final long length;
    private final MemorySegment region;
    private final MemorySegment pattern;
    private final MappedByteBuffer table;
    private final Path tableFile;

    private final long[] addresses;
    private final long[] sizes;
    private final int[] tags;
    private final byte[] poolTypes;
    private final byte[] states;
    private final int[] neverUsed;
    private int neverUsedCount;
    private final int[] freedQueue;
    private int freedHead;
    private int freedCount;

    /**
     * Reserves the region and creates the slot table.
     *
     * @param tableDirectory where the slot table file goes, or {@code null} for no file
     * @throws IllegalStateException if the region cannot be reserved or the table not created
     */
    public SpecialPool(int slots, boolean verifyStart, Path tableDirectory) {
        this.slots = slots;
        this.verifyStart = verifyStart;
        this.page = systemPageSize();
        this.length = 2L * page * slots;
        long b;
        try {
            b = (long) MMAP.invokeExact(0L, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
        } catch (Throwable t) {
            throw new AssertionError("mmap downcall failed", t);
        }
        if (b == MAP_FAILED || b == 0) {
            throw new IllegalStateException("special pool cannot reserve " + length + " bytes of address space");
        }
        this.base = b;
        this.region = MemorySegment.ofAddress(b).reinterpret(length);
        this.pattern = Arena.ofAuto().allocate(page, 16);
        for (int i = 0; i < page; i++) {
            pattern.set(ValueLayout.JAVA_BYTE, i, patternByte(i));
        }
        this.addresses = new long[slots];
        this.sizes = new long[slots];
        this.tags = new int[slots];
        this.poolTypes = new byte[slots];
        this.states = new byte[slots];
        this.neverUsed = new int[slots];
        for (int i = 0; i < slots; i++) {
            neverUsed[i] = slots - 1 - i;
        }
        this.neverUsedCount = slots;
        this.freedQueue = new int[slots];
        if (tableDirectory == null) {
            this.table = null;
            this.tableFile = null;
        } else {
            long pid = ProcessHandle.current().pid();
            int n = POOLS.incrementAndGet();
            this.tableFile = tableDirectory.resolve(SpecialPoolTable.fileName(pid, n));
            this.table = openTable(tableFile, pid);
        }
    }

    private MappedByteBuffer openTable(Path file, long pid) {
        long size = SpecialPoolTable.HEADER + (long) slots * SpecialPoolTable.RECORD;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            MappedByteBuffer t;
            try (FileChannel ch = FileChannel.open(
                    file,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                t = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            }
            t.order(ByteOrder.LITTLE_ENDIAN);
            SpecialPoolTable.writeHeader(t, slots, pid, base, page, verifyStart, System.currentTimeMillis());
            file.toFile().deleteOnExit(); // a JVM that ends normally leaves nothing to analyze
            return t;
        } catch (IOException e) {
            throw new IllegalStateException(
                    "special pool cannot create its slot table " + file + ": " + e.getMessage(), e);
        }
    }

    /** The pattern byte at {@code offset} in a page. */
    static byte patternByte(long offset) {
        return (byte) (0xA5 ^ (offset * 0x3B));
    }

    /** Whether {@code address} is in special pool's region. */
    public boolean contains(long address) {
        return Long.compareUnsigned(address - base, length) < 0;
    }

    /** The page size special pool uses. */
    public long pageSize() {
        return page;
    }

    private static long systemPageSize() {
        try {
            long p = (long) SYSCONF.invokeExact(SC_PAGESIZE);
            return p > 0 ? p : 4096;
        } catch (Throwable t) {
            throw new AssertionError("sysconf downcall failed", t);
        }
    }

    /** The slot table file, or {@code null}. */
    public Path tableFile() {
        return tableFile;
    }

    /**
     * A buffer of {@code bytes} on a page of its own, or 0 when no slot is free (or the size is a page
     * or more): the caller then uses normal pool.
     */
    public synchronized long allocate(long bytes, int tag, int poolType, String driver, String site) {
        if (bytes <= 0 || bytes >= page) {
            return 0;
        }
        int slot;
        if (neverUsedCount > 0) {
            slot = neverUsed[--neverUsedCount];
        } else if (freedCount > 0) {
            slot = freedQueue[freedHead];
            freedHead = (freedHead + 1) % slots;
            freedCount--;
        } else {
            return 0;
        }
        long data = dataPage(slot);
        if (protect(data, PROT_READ_WRITE) != 0) {
            queueFreed(slot);
            return 0;
        }
        long offset = data - base;
        MemorySegment.copy(pattern, 0, region, offset, page);
        long address = verifyStart ? data : (data + page - bytes) & ~15L;
        addresses[slot] = address;
        sizes[slot] = bytes;
        tags[slot] = tag;
        poolTypes[slot] = (byte) poolType;
        states[slot] = SpecialPoolTable.LIVE;
        if (table != null) {
            int r = SpecialPoolTable.HEADER + slot * SpecialPoolTable.RECORD;
            table.putInt(r + SpecialPoolTable.R_TAG, tag);
            table.putLong(r + SpecialPoolTable.R_ADDRESS, address);
            table.putLong(r + SpecialPoolTable.R_SIZE, bytes);
            table.putLong(r + SpecialPoolTable.R_ALLOC_TIME, System.currentTimeMillis());
            table.putLong(r + SpecialPoolTable.R_FREE_TIME, 0);
            table.putLong(r + SpecialPoolTable.R_THREAD, Thread.currentThread().threadId());
            table.putInt(r + SpecialPoolTable.R_POOL_TYPE, poolType);
            putText(
                    r + SpecialPoolTable.R_DRIVER,
                    r + SpecialPoolTable.R_DRIVER_LEN,
                    driver,
                    SpecialPoolTable.DRIVER_BYTES);
            putText(r + SpecialPoolTable.R_SITE, r + SpecialPoolTable.R_SITE_LEN, site, SpecialPoolTable.SITE_BYTES);
            table.putInt(r + SpecialPoolTable.R_STATE, SpecialPoolTable.LIVE);
        }
        return address;
    }

    private void putText(int at, int lengthAt, String text, int max) {
        byte[] b = SpecialPoolTable.utf8(text == null ? "" : text, max);
        table.put(at, b);
        table.putShort(lengthAt, (short) b.length);
    }

    /**
     * Frees the buffer at {@code address} (which {@link #contains}), checking the pattern around it.
     * A buffer whose pattern is damaged is freed all the same; an address that is no live buffer's
     * start is left alone and reported ({@link #NOT_ALLOCATED}, {@link #BAD_ADDRESS}).
     */
    public synchronized Freed free(long address) {
        int slot = (int) ((address - base) / (2 * page));
        if (states[slot] != SpecialPoolTable.LIVE) {
            return new Freed(NOT_ALLOCATED, 0, 0, 0, 0, 0);
        }
        long data = dataPage(slot);
        if (address != addresses[slot]) {
            return new Freed(BAD_ADDRESS, sizes[slot], tags[slot], poolTypes[slot], 0, data + page - address);
        }
        long size = sizes[slot];
        int subcode = 0;
        long corrupt = 0;
        long before = address - data;
        long mismatch = MemorySegment.mismatch(region, data - base, address - base, pattern, 0, before);
        if (mismatch >= 0) {
            subcode = BEFORE_CORRUPTED;
            corrupt = data + mismatch;
        } else {
            long end = address + size - data;
            mismatch = MemorySegment.mismatch(region, data - base + end, data - base + page, pattern, end, page);
            if (mismatch >= 0) {
                subcode = AFTER_CORRUPTED;
                corrupt = data + end + mismatch;
            }
        }
        if (subcode != 0 && singleBit(data, corrupt)) {
            subcode = SINGLE_BIT;
        }
        Freed freed = new Freed(subcode, size, tags[slot], poolTypes[slot], corrupt, size);
        states[slot] = SpecialPoolTable.FREED;
        protect(data, PROT_NONE);
        madvise(data);
        if (table != null) {
            int r = SpecialPoolTable.HEADER + slot * SpecialPoolTable.RECORD;
            table.putLong(r + SpecialPoolTable.R_FREE_TIME, System.currentTimeMillis());
            table.putInt(r + SpecialPoolTable.R_STATE, SpecialPoolTable.FREED);
        }
        queueFreed(slot);
        return freed;
    }

    /* One changed bit and nothing else changed on the page around the buffer. */
    private boolean singleBit(long data, long corrupt) {
        long off = corrupt - data;
        int diff = (region.get(ValueLayout.JAVA_BYTE, corrupt - base) ^ patternByte(off)) & 0xFF;
        if (Integer.bitCount(diff) != 1) {
            return false;
        }
        int slot = (int) ((data - base) / (2 * page));
        long bufferStart = addresses[slot] - data;
        long bufferEnd = bufferStart + sizes[slot];
        for (long i = 0; i < page; i++) {
            boolean around = i < bufferStart || i >= bufferEnd;
            if (around && i != off && region.get(ValueLayout.JAVA_BYTE, data - base + i) != patternByte(i)) {
                return false;
            }
        }
        return true;
    }

    private void queueFreed(int slot) {
        freedQueue[(freedHead + freedCount) % slots] = slot;
        freedCount++;
    }

    private long dataPage(int slot) {
        long pair = base + 2L * page * slot;
        return verifyStart ? pair + page : pair;
    }

    private int protect(long pageAddress, int prot) {
        try {
            return (int) MPROTECT.invokeExact(pageAddress, page, prot);
        } catch (Throwable t) {
            throw new AssertionError("mprotect downcall failed", t);
        }
    }

    private void madvise(long pageAddress) {
        try {
            int rc = (int) MADVISE.invokeExact(pageAddress, page, MADV_DONTNEED);
            assert rc == 0;
        } catch (Throwable t) {
            throw new AssertionError("madvise downcall failed", t);
        }
    }
}
