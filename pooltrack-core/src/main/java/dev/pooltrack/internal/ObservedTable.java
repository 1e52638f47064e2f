package dev.pooltrack.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The records of native memory that PoolTrack observes but does not verify (direct buffers, {@code
 * Unsafe}, FFM arenas, C allocator downcalls whose driver is not verified): for each address still
 * allocated, its size, pool type, driver, tag and tag index, so that a free that names only the
 * address ({@code Unsafe.freeMemory}, C {@code free}) is counted under the right tag with the right
 * size.
 *
 * <p>Thread-safe: any thread may insert and remove, and a block may be removed by a thread other
 * than the one that inserted it. An insert or a remove takes one segment's spin lock (one
 * compare-and-set, released with one release store) and allocates nothing on the Java heap, except
 * when a segment grows.
 */
public final class ObservedTable {

    /* Why not StripedTracker: observed memory needs no per-driver counters, no allocating thread or
     * time (nothing reports them for memory that is not verified), and no tombstones (a double free
     * of memory that is not verified is not a violation Driver Verifier raises): a slot is three
     * longs instead of four, and a removal leaves nothing behind to be rehashed away later.
     *
     * Layout: 64 segments chosen by the top six bits of the address's multiplicative hash; each is an
     * open-addressing table with linear probing and a power-of-two capacity; a slot is
     *   w0 = address (0 = empty slot; a block's address is never 0)
     *   w1 = Tracker.info(size, driver, pool type)
     *   w2 = tag << 32 | tag index
     * A removal shifts the rest of its probe run back into the hole (Knuth, TAOCP vol. 3, 6.4,
     * Algorithm R), so the table holds only live records and a probe stops at the first empty slot.
     * A segment doubles at a load of 3/4. The lock is a plain int taken with compare-and-set; a thread
     * that fails to take it spins briefly, then yields, since on a machine with few cores the holder
     * may have been preempted. */

    private static final int SEGMENT_BITS = 6;
    private static final int SEGMENTS = 1 << SEGMENT_BITS;
    private static final int WORDS = 3;
    private static final int INITIAL_CAPACITY = 16;
    private static final int SPINS_BEFORE_YIELD = 64;
    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;

    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(Segment.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // padding keeps two segments' locks off one cache line
    static final class Segment {
        long p0, p1, p2, p3, p4, p5, p6;
        volatile int lock;
        int live;
        int mask;
        long[] slots;
        long q0, q1, q2, q3, q4, q5, q6;

        Segment() {
            mask = INITIAL_CAPACITY - 1;
            slots = new long[INITIAL_CAPACITY * WORDS];
        }
    }

    private final Segment[] segments = new Segment[SEGMENTS];

    public ObservedTable() {
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment();
        }
    }

    /**
     * Records a block unless its address is recorded already.
     *
     * @param address the block's address, not 0
     * @param size its bytes, below 2^48
     * @param tag its tag value
     * @param tagIndex the tag's index in the pool's tag table
     * @param poolType 0 nonpaged, 1 paged
     * @param driver the index of the driver charged, below 2^15
     * @return {@code false}, with nothing changed, if {@code address} is recorded already
     * @throws IllegalArgumentException if {@code address} is 0
     */
    public boolean insert(long address, long size, int tag, int tagIndex, int poolType, int driver) {
        if (address == 0) {
            throw new IllegalArgumentException("address 0 is never a block");
        }
        long info = Tracker.info(size, driver, poolType);
        long tags = ((long) tag << 32) | (tagIndex & 0xFFFF_FFFFL);
        long h = address * GOLDEN;
        Segment s = segments[(int) (h >>> (64 - SEGMENT_BITS))];
        lock(s);
        try {
            if ((s.live + 1) * 4L > (s.mask + 1) * 3L) {
                grow(s);
            }
            long[] slots = s.slots;
            int mask = s.mask;
            int i = home(h, mask);
            while (true) {
                int w = i * WORDS;
                long a = slots[w];
                if (a == 0) {
                    slots[w] = address;
                    slots[w + 1] = info;
                    slots[w + 2] = tags;
                    s.live++;
                    return true;
                }
                if (a == address) {
                    return false;
                }
                i = (i + 1) & mask;
            }
        } finally {
            unlock(s);
        }
    }

    /**
     * Removes the record of {@code address}.
     *
     * @param record receives {@code [0]} the {@linkplain Tracker#info packed info} and {@code [1]}
     *     {@code tag << 32 | tag index}; unchanged if the address is not recorded
     * @return whether the address was recorded
     */
    public boolean remove(long address, long[] record) {
        if (address == 0) {
            return false;
        }
        long h = address * GOLDEN;
        Segment s = segments[(int) (h >>> (64 - SEGMENT_BITS))];
        lock(s);
        try {
            long[] slots = s.slots;
            int mask = s.mask;
            int i = home(h, mask);
            while (true) {
                int w = i * WORDS;
                long a = slots[w];
                if (a == 0) {
                    return false;
                }
                if (a == address) {
                    record[0] = slots[w + 1];
                    record[1] = slots[w + 2];
                    closeHole(slots, mask, i);
                    s.live--;
                    return true;
                }
                i = (i + 1) & mask;
            }
        } finally {
            unlock(s);
        }
    }

    /** The number of blocks recorded; exact when no thread inserts or removes meanwhile. */
    public long size() {
        long n = 0;
        for (Segment s : segments) {
            lock(s);
            try {
                n += s.live;
            } finally {
                unlock(s);
            }
        }
        return n;
    }

    /** The bytes the slots take now, empty slots included. */
    public long footprintBytes() {
        long n = 0;
        for (Segment s : segments) {
            lock(s);
            try {
                n += (long) s.slots.length * Long.BYTES;
            } finally {
                unlock(s);
            }
        }
        return n;
    }

    /** The size in a removed record. */
    public static long size(long[] record) {
        return Tracker.infoSize(record[0]);
    }

    /** The pool type in a removed record. */
    public static int poolType(long[] record) {
        return Tracker.infoPoolType(record[0]);
    }

    /** The tag value in a removed record. */
    public static int tag(long[] record) {
        return (int) (record[1] >>> 32);
    }

    /** The tag index in a removed record. */
    public static int tagIndex(long[] record) {
        return (int) record[1];
    }

    private static int home(long h, int mask) {
        return (int) (h >>> 26) & mask; // bits below the segment's six
    }

    /* Algorithm R: walks the probe run after the hole; an entry whose home slot is not cyclically in
     * (hole, its slot] can move back into the hole, which then moves to where the entry was. */
    private static void closeHole(long[] slots, int mask, int hole) {
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            int w = j * WORDS;
            long a = slots[w];
            if (a == 0) {
                break;
            }
            int k = home(a * GOLDEN, mask);
            boolean stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
            if (!stays) {
                int h = hole * WORDS;
                slots[h] = a;
                slots[h + 1] = slots[w + 1];
                slots[h + 2] = slots[w + 2];
                hole = j;
            }
        }
        int h = hole * WORDS;
        slots[h] = 0;
        slots[h + 1] = 0;
        slots[h + 2] = 0;
    }

    /** Doubles a segment; under its lock. */
    private static void grow(Segment s) {
        long[] old = s.slots;
        int mask = (s.mask << 1) | 1;
        long[] slots = new long[(mask + 1) * WORDS];
        for (int w = 0; w < old.length; w += WORDS) {
            long a = old[w];
            if (a != 0) {
                int i = home(a * GOLDEN, mask);
                while (slots[i * WORDS] != 0) {
                    i = (i + 1) & mask;
                }
                int n = i * WORDS;
                slots[n] = a;
                slots[n + 1] = old[w + 1];
                slots[n + 2] = old[w + 2];
            }
        }
        s.slots = slots;
        s.mask = mask;
    }

    private static void lock(Segment s) {
        int spins = 0;
        while (!LOCK.weakCompareAndSetAcquire(s, 0, 1)) {
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                spins = 0;
                Thread.yield();
            }
        }
    }

    private static void unlock(Segment s) {
        LOCK.setRelease(s, 0);
    }
}
