package dev.pooltrack.agent;

import dev.pooltrack.CallSite;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * The last allocations and frees of verified drivers, with their call sites and, when stacks are
 * captured, their stacks: the log that {@code !verifier 0x80 [address]} shows on Windows.
 *
 * <p>Thread-safe. A bounded ring in one {@code long[]}, an entry a cache line: writing one claims a
 * slot with one atomic increment, writes four words, then publishes the entry's sequence number with
 * a release store, and allocates nothing. The ring has a power-of-two number of slots, at least the
 * capacity, so that a slot is found with a mask, not a division (a 64-bit {@code idiv} per entry
 * when the capacity is not a constant); the newest {@code capacity} entries are the ones read. A reader takes an entry only if its sequence number is the
 * one expected before and after reading it, so an entry being overwritten is skipped, never shown
 * torn.
 */
final class AllocationLog {

    /* Entry layout, 8 longs (64 bytes):
     *   w0 address
     *   w1 size
     *   w2 tag (low 32) | pool type << 32 | free << 33 | core driver index << 34 (free) or agent
     *      driver id << 34 (allocation)
     *   w3 call site id (low 32) | thread id << 32
     *   w4 sequence number + 1 (0: never written)
     * Allocations carry the agent's id of the driver; frees the pool's index of the driver that
     * allocated (what the record hands back), resolved when the log is read. */

    private static final int STRIDE = 8;
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int capacity;
    /** Slots in the ring minus one: the ring has a power of two of them, at least {@link #capacity}. */
    private final int mask;

    private final AtomicLong next = new AtomicLong();
    private final long[] words;
    private final StackTable.CapturedStack[] stacks;

    /**
     * A log of the last {@code capacity} allocations and frees.
     *
     * @throws IllegalArgumentException if {@code capacity} is negative or above {@link
     *     AgentOptions#MAX_HISTORY}
     */
    AllocationLog(int capacity) {
        if (capacity < 0 || capacity > AgentOptions.MAX_HISTORY) {
            throw new IllegalArgumentException("log capacity " + capacity + " is out of range");
        }
        this.capacity = capacity;
        int slots = capacity <= 1 ? capacity : Integer.highestOneBit(capacity - 1) << 1;
        this.mask = Math.max(0, slots - 1);
        this.words = new long[slots * STRIDE];
        this.stacks = new StackTable.CapturedStack[slots];
    }

    /** Whether the log keeps anything. */
    boolean enabled() {
        return capacity > 0;
    }

    /** Appends an allocation; {@code driverId} is the agent's ({@link DriverRef#id}). */
    void allocated(
            long address, long size, int tag, int poolType, int driverId, int site, StackTable.CapturedStack stack) {
        add(address, size, packed(tag, poolType, false, driverId), site, stack);
    }

    /** Appends a free; {@code driverIndex} is the pool's, as the freed record names it. */
    void freed(
            long address, long size, int tag, int poolType, int driverIndex, int site, StackTable.CapturedStack stack) {
        add(address, size, packed(tag, poolType, true, driverIndex), site, stack);
    }

    private static long packed(int tag, int poolType, boolean free, int driver) {
        return (tag & 0xFFFF_FFFFL) | ((long) (poolType & 1) << 32) | (free ? 1L << 33 : 0) | ((long) driver << 34);
    }

    private void add(long address, long size, long w2, int site, StackTable.CapturedStack stack) {
        if (capacity == 0) {
            return;
        }
        long n = next.getAndIncrement();
        int i = (int) n & mask;
        int w = i * STRIDE;
        WORDS.setOpaque(words, w + 4, 0L);
        words[w] = address;
        words[w + 1] = size;
        words[w + 2] = w2;
        words[w + 3] = (site & 0xFFFF_FFFFL) | (Thread.currentThread().threadId() << 32);
        stacks[i] = stack;
        WORDS.setRelease(words, w + 4, n + 1);
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
            List<StackTraceElement> stack) {}

    /**
     * The entries, oldest first, optionally only those of one address.
     *
     * @param onlyAddress the address to show, or 0 for all
     * @param agentDrivers names by the agent's driver id
     * @param poolDrivers names by the pool's driver index
     */
    List<Entry> entries(
            long onlyAddress,
            IntFunction<String> agentDrivers,
            IntFunction<String> poolDrivers,
            IntFunction<CallSite> sites) {
        List<Entry> out = new ArrayList<>();
        long end = next.get();
        for (long n = Math.max(0, end - capacity); n < end; n++) {
            int i = (int) n & mask;
            int w = i * STRIDE;
            if ((long) WORDS.getAcquire(words, w + 4) != n + 1) {
                continue;
            }
            long address = words[w];
            long size = words[w + 1];
            long w2 = words[w + 2];
            long w3 = words[w + 3];
            StackTable.CapturedStack stack = stacks[i];
            VarHandle.acquireFence();
            if ((long) WORDS.getOpaque(words, w + 4) != n + 1 || (onlyAddress != 0 && address != onlyAddress)) {
                continue;
            }
            boolean free = (w2 & (1L << 33)) != 0;
            int driver = (int) (w2 >>> 34);
            out.add(new Entry(
                    !free,
                    address,
                    size,
                    Tag.ofValue((int) w2),
                    PoolType.ofCode((int) (w2 >>> 32) & 1),
                    free ? poolDrivers.apply(driver) : agentDrivers.apply(driver),
                    sites.apply((int) w3),
                    w3 >>> 32,
                    stack == null ? List.of() : stack.frames()));
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
                                    + "Pool block %016x, Size %08x, Thread %d%n",
                            e.address(), e.size(), e.threadId()))
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
