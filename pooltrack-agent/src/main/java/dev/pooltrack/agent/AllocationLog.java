package dev.pooltrack.agent;

import dev.pooltrack.CallSite;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * The last allocations and frees of verified drivers, with their call sites and, when stacks are
 * captured, their stacks: the log that {@code !verifier 0x80 [address]} shows on Windows.
 *
 * <p>Thread-safe. A bounded ring of primitive arrays: writing an entry claims a slot with one atomic
 * increment and allocates nothing. A reader racing with writers that wrap the ring may see an
 * entry half-written; the log is a diagnostic and accepts that rather than slow every allocation.
 */
final class AllocationLog {

    static final byte ALLOCATE = 1;
    static final byte FREE = 2;

    private final int capacity;
    private final AtomicLong next = new AtomicLong();
    private final byte[] kind;
    private final long[] address;
    private final long[] size;
    private final int[] tag;
    private final byte[] poolType;
    private final int[] driver;
    private final int[] site;
    private final int[] stack;
    private final long[] thread;
    private final long[] time;

    AllocationLog(int capacity) {
        this.capacity = capacity;
        this.kind = new byte[capacity];
        this.address = new long[capacity];
        this.size = new long[capacity];
        this.tag = new int[capacity];
        this.poolType = new byte[capacity];
        this.driver = new int[capacity];
        this.site = new int[capacity];
        this.stack = new int[capacity];
        this.thread = new long[capacity];
        this.time = new long[capacity];
    }

    /** Whether the log keeps anything. */
    boolean enabled() {
        return capacity > 0;
    }

    /** Appends an entry. */
    void add(byte what, long addr, long bytes, int tagValue, int pool, int driverIndex, int siteId, int stackId) {
        if (capacity == 0) {
            return;
        }
        int i = (int) (next.getAndIncrement() % capacity);
        kind[i] = 0;
        address[i] = addr;
        size[i] = bytes;
        tag[i] = tagValue;
        poolType[i] = (byte) pool;
        driver[i] = driverIndex;
        site[i] = siteId;
        stack[i] = stackId;
        thread[i] = Thread.currentThread().threadId();
        time[i] = System.currentTimeMillis();
        kind[i] = what;
    }

    /**
     * One entry.
     *
     * @param allocate an allocation (else a free)
     * @param stack the stack, empty when none was captured
     */
    record Entry(
            boolean allocate,
            long address,
            long size,
            Tag tag,
            PoolType poolType,
            String driver,
            CallSite site,
            long threadId,
            long timeMillis,
            List<StackTraceElement> stack) {}

    /**
     * The entries, oldest first, optionally only those of one address.
     *
     * @param onlyAddress the address to show, or 0 for all
     */
    List<Entry> entries(
            long onlyAddress,
            IntFunction<String> drivers,
            IntFunction<CallSite> sites,
            IntFunction<List<StackTraceElement>> stacks) {
        List<Entry> out = new ArrayList<>();
        long end = next.get();
        long start = Math.max(0, end - capacity);
        for (long n = start; n < end; n++) {
            int i = (int) (n % capacity);
            byte k = kind[i];
            if (k == 0 || (onlyAddress != 0 && address[i] != onlyAddress)) {
                continue;
            }
            Tag t;
            try {
                t = Tag.ofValue(tag[i]);
            } catch (IllegalArgumentException torn) {
                continue;
            }
            out.add(new Entry(
                    k == ALLOCATE,
                    address[i],
                    size[i],
                    t,
                    PoolType.ofCode(poolType[i]),
                    drivers.apply(driver[i]),
                    sites.apply(site[i]),
                    thread[i],
                    time[i],
                    stack[i] == 0 ? List.of() : stacks.apply(stack[i])));
        }
        return out;
    }

    /** The log as text, in the spirit of {@code !verifier 0x80}: newest first, a stack under each entry. */
    static String text(List<Entry> entries, int capacity) {
        StringBuilder out = new StringBuilder();
        out.append("Pool allocation and free log (the last ")
                .append(capacity)
                .append(" of verified drivers, newest first): ")
                .append(entries.size())
                .append(" entries\n");
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            out.append('\n')
                    .append(String.format(
                            "======================================================================%n"
                                    + "Pool block %016x, Size %08x, Thread %d, %s%n",
                            e.address(), e.size(), e.threadId(), Instant.ofEpochMilli(e.timeMillis())))
                    .append(e.allocate() ? "Allocated" : "Freed")
                    .append(" tag ")
                    .append(e.tag().text())
                    .append(' ')
                    .append(e.poolType() == PoolType.PAGED ? "PagedPool" : "NonPagedPool")
                    .append(" by driver ")
                    .append(e.driver())
                    .append('\n');
            if (!e.stack().isEmpty()) {
                for (StackTraceElement f : e.stack()) {
                    out.append("        ").append(f).append('\n');
                }
            } else if (e.site() != null && !"?".equals(e.site().className())) {
                out.append("        ").append(e.site()).append('\n');
            }
        }
        return out.toString();
    }
}
