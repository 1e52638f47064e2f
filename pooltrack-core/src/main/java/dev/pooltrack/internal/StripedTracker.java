package dev.pooltrack.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The fast {@link Tracker}: records in primitive arrays, split into independently locked segments
 * by address, 32 bytes a record.
 *
 * <p>Thread-safe. Tracking and untracking take one segment's lock (one compare-and-set; the
 * critical section is a few array writes) and, to count per driver, the lock of the calling thread's
 * counter stripe. Nothing is allocated on the Java heap per record, except when a segment grows.
 */
public final class StripedTracker implements Tracker {

    /* Layout: each segment is an open-addressing table with linear probing; a slot is four longs:
     *   w0 = address (0 = empty slot)
     *   w1 = FREED bit (63) | size << 16 | driver << 1 | pool type   (Tracker.info)
     *   w2 = tag << 32 | call site id
     *   w3 = thread id (low 24 bits) << 40 | milliseconds since the tracker's epoch (40 bits, 34 years)
     * An untracked record stays as a tombstone (FREED set) so that a second free of the address is
     * recognised as a double free (0xC4/0x13) rather than a free of an address never allocated
     * (0xC4/0x10); tracking the same address again reuses its tombstone. Tombstones are dropped when
     * the segment is rehashed, so "recently" means "since this segment last rehashed".
     * Capacity is not a power of two (index = fastrange of 32 hash bits) and grows by 1.25x at a load
     * of 0.85, so a segment's load stays between 0.68 and 0.85 and a record costs 38 to 47 bytes with
     * its slack: at most 48 bytes per record is a project goal (DESIGN.md). Times are kept relative to
     * 2020-01-01, so 40 bits of milliseconds last until 2054.
     *
     * Per-driver counters (Windows' CurrentNonPagedPoolAllocations, PeakNonPagedPoolAllocations and
     * the rest, reference §4) are split into 64 stripes chosen by the calling thread, each with its own
     * lock, so that threads allocating for one driver write different cache lines: no shared line per
     * driver, no shared atomic add. A free counts in the freeing thread's stripe; only the sum means anything.
     * For each driver and each of its four quantities q (nonpaged allocs, nonpaged bytes, paged allocs,
     * paged bytes) a stripe holds current[q] and headroom[q]; the driver holds peak[q], a pool of spare
     * headroom[q] and a mask of the stripes that may hold headroom. The invariant, kept under the
     * driver's lock, is
     *     peak = sum of current + sum of headroom + spare
     * so the current sum can never pass the peak unseen. An allocation whose stripe's headroom covers
     * it moves that much from headroom to current; a free moves it back. So a thread that allocates
     * and frees, at any addresses, stays in its own stripe. An allocation its stripe's headroom does
     * not cover takes the driver's lock (grant): it takes spare; if spare is short it first drains every
     * stripe in the mask into spare, and only if that is still short does it raise the peak, by exactly
     * what is missing, at a point where no headroom is left anywhere: the peak then equals the current
     * sum the allocation makes. Frees that run while a grant drains may refill a drained stripe; each
     * such free overlaps the allocation, so the peak is the highest current value of a serial order of
     * the operations in which overlapping operations are ordered one way or the other. Operations that
     * do not overlap keep their order, so allocations made before any of them is freed always show as
     * the peak, and a single thread's counters are exactly Windows'. A grant happens on each new peak,
     * and when memory allocated on one thread is freed on another until the allocating thread's stripe
     * gets a share of the spare (a grant gives it a quarter of what spare is left beyond its need).
     * Lock order: driver lock, then stripe locks in ascending order; counting holds one stripe lock and
     * never waits for a driver lock, which is why a grant runs after the stripe lock is released and
     * the count then retries. A record and its count are under different locks, taken one after the
     * other: a reader may see a record whose count is not in yet, and a free of a block that races its
     * own allocation's count (only a program freeing an address it was not yet given can do that)
     * may show the current sum one allocation low for that moment. A reader takes the driver lock and every stripe lock, so it sees current and peak of one
     * instant. */

    private static final int SEGMENT_BITS = 6;
    private static final int SEGMENTS = 1 << SEGMENT_BITS;
    private static final int WORDS = 4;
    private static final long FREED = 1L << 63;
    private static final long FORGOTTEN = 1; // never a block address: blocks are 16-byte aligned
    private static final int INITIAL_CAPACITY = 64;
    /** Per driver in a stripe: current[4], headroom[4]. Per driver in the tracker: peak[4], spare[4]. */
    private static final int DRIVER_SLOTS = 8;

    private static final int HEADROOM = 4;
    private static final int DRIVER_LOCKS = 64;

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
        int capacity;
        int live;
        int tombstones;
        long[] slots;
        /** In a counter stripe: current and headroom per driver ({@link #DRIVER_SLOTS} each), under the lock. */
        long[] counts = new long[0];

        long q0, q1, q2, q3, q4, q5, q6;

        Segment(int capacity) {
            this.capacity = capacity;
            this.slots = new long[capacity * WORDS];
        }
    }

    private final Segment[] segments = new Segment[SEGMENTS];
    /** The per-driver counters, striped by thread; a stripe is a Segment with no records. */
    private final Segment[] stripes = new Segment[SEGMENTS];
    /** Per driver: peak[4] and spare[4], written under the driver's lock. */
    private final ChunkedCounters peaks = new ChunkedCounters();
    /** Per driver: bit i set if stripe i may hold headroom; changed under stripe i's lock. */
    private final ChunkedCounters headroomMasks = new ChunkedCounters();

    private final Object[] driverLocks = new Object[DRIVER_LOCKS];
    private final boolean countPerDriver;
    private static final long EPOCH_MILLIS = 1_577_836_800_000L; // 2020-01-01T00:00:00Z

    public StripedTracker() {
        this(true);
    }

    /**
     * A tracker that keeps per-driver counters only if {@code countPerDriver}: the records of memory
     * whose driver is not verified need none (Windows keeps no per-driver counters for such a driver),
     * and skipping them saves four atomic updates per allocation and two per free.
     */
    public StripedTracker(boolean countPerDriver) {
        this.countPerDriver = countPerDriver;
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment(INITIAL_CAPACITY);
            stripes[i] = new Segment(0);
        }
        for (int i = 0; i < DRIVER_LOCKS; i++) {
            driverLocks[i] = new Object();
        }
    }

    @Override
    public void track(
            long address, long size, int tag, int poolType, int driver, int site, long threadId, long timeMillis) {
        long info = Tracker.info(size, driver, poolType);
        long w2 = ((long) tag << 32) | (site & 0xFFFF_FFFFL);
        long w3 = ((threadId & 0xFF_FFFFL) << 40) | ((timeMillis - EPOCH_MILLIS) & 0xFF_FFFF_FFFFL);
        long h = hash(address);
        Segment s = segments[(int) (h >>> (64 - SEGMENT_BITS))];
        lock(s);
        try {
            insert(s, h, address, info, w2, w3);
        } finally {
            unlock(s);
        }
        if (countPerDriver) {
            count(stripeOf(Thread.currentThread().threadId()), driver, poolType, size);
        }
    }

    /** Counts an allocation in the stripe, taking headroom, granted first if the stripe has too little. */
    private void count(int stripe, int driver, int poolType, long size) {
        Segment s = stripes[stripe];
        int q = driver * DRIVER_SLOTS + (poolType == 0 ? CURRENT_NONPAGED_ALLOCS : CURRENT_PAGED_ALLOCS);
        while (true) {
            lock(s);
            try {
                long[] c = countsFor(s, driver);
                if (c[q + HEADROOM] >= 1 && c[q + 1 + HEADROOM] >= size) {
                    c[q] += 1;
                    c[q + 1] += size;
                    c[q + HEADROOM] -= 1;
                    c[q + 1 + HEADROOM] -= size;
                    return;
                }
            } finally {
                unlock(s);
            }
            grant(stripe, driver, q, size);
        }
    }

    /** Counts a free in the stripe: what it frees becomes the stripe's headroom. */
    private void uncount(int stripe, int driver, int poolType, long size) {
        Segment s = stripes[stripe];
        int q = driver * DRIVER_SLOTS + (poolType == 0 ? CURRENT_NONPAGED_ALLOCS : CURRENT_PAGED_ALLOCS);
        lock(s);
        try {
            long[] c = countsFor(s, driver);
            c[q] -= 1;
            c[q + 1] -= size;
            c[q + HEADROOM] += 1;
            c[q + 1 + HEADROOM] += size;
            markHeadroom(driver, stripe);
        } finally {
            unlock(s);
        }
    }

    /** The counter stripe of a thread. */
    private static int stripeOf(long threadId) {
        return (int) ((threadId * 0x9E37_79B9_7F4A_7C15L) >>> (64 - SEGMENT_BITS));
    }

    /** Puts a record into its segment; call under the segment's lock. */
    private static void insert(Segment s, long h, long address, long info, long w2, long w3) {
        if ((s.live + s.tombstones + 1) * 20L > s.capacity * 17L) {
            rehash(s);
        }
        long[] slots = s.slots;
        int cap = s.capacity;
        int i = index(h, cap);
        int reuse = -1;
        while (true) {
            int w = i * WORDS;
            long a = slots[w];
            if (a == 0) {
                break;
            }
            if (a == address) {
                if ((slots[w + 1] & FREED) == 0) {
                    throw new IllegalStateException(String.format("address 0x%x is tracked already", address));
                }
                reuse = i;
                s.tombstones--;
                break;
            }
            if (++i == cap) {
                i = 0;
            }
        }
        int w = (reuse >= 0 ? reuse : i) * WORDS;
        slots[w] = address;
        slots[w + 1] = info;
        slots[w + 2] = w2;
        slots[w + 3] = w3;
        s.live++;
    }

    /* The slow path of count: gives the stripe's headroom for the driver's quantities q and q + 1
     * at least one allocation and {@code size} bytes, from spare, from other stripes' headroom, or
     * by raising the peak (see the class comment), plus a quarter of the spare left over so that the
     * next allocations there need no grant. */
    private void grant(int stripe, int driver, int q, long size) {
        synchronized (driverLocks[driver & (DRIVER_LOCKS - 1)]) {
            Segment s = stripes[stripe];
            long shortAllocs;
            long shortBytes;
            lock(s);
            try {
                long[] c = countsFor(s, driver);
                shortAllocs = 1 - c[q + HEADROOM];
                shortBytes = size - c[q + 1 + HEADROOM];
            } finally {
                unlock(s);
            }
            // peak and spare sit at the offsets that current and headroom have in a stripe
            if (peaks.getOpaque(q + HEADROOM) < shortAllocs || peaks.getOpaque(q + 1 + HEADROOM) < shortBytes) {
                reclaim(driver); // this stripe's headroom too
                shortAllocs = 1;
                shortBytes = size;
            }
            long grantAllocs = take(q, shortAllocs);
            long grantBytes = take(q + 1, shortBytes);
            lock(s);
            try {
                long[] c = countsFor(s, driver);
                c[q + HEADROOM] += grantAllocs;
                c[q + 1 + HEADROOM] += grantBytes;
                markHeadroom(driver, stripe);
            } finally {
                unlock(s);
            }
        }
    }

    /** Takes at least {@code needed} of a quantity out of spare, raising the peak for what spare lacks; under the driver lock. */
    private long take(int p, long needed) {
        long spare = peaks.getOpaque(p + HEADROOM);
        if (spare < needed) {
            peaks.addOwner(p, needed - spare);
            peaks.addOwner(p + HEADROOM, needed - spare);
            spare = needed;
        }
        long given = needed > 0 ? needed + ((spare - needed) >> 2) : (spare >> 2);
        peaks.addOwner(p + HEADROOM, -given);
        return given;
    }

    /** Moves every stripe's headroom for the driver into spare; under the driver lock. */
    private void reclaim(int driver) {
        long mask = headroomMasks.getOpaque(driver);
        int base = driver * DRIVER_SLOTS;
        while (mask != 0) {
            int i = Long.numberOfTrailingZeros(mask);
            mask &= mask - 1;
            Segment s = stripes[i];
            lock(s);
            try {
                long[] c = countsFor(s, driver);
                for (int k = 0; k < 4; k++) {
                    peaks.addOwner(base + k + HEADROOM, c[base + k + HEADROOM]);
                    c[base + k + HEADROOM] = 0;
                }
                headroomMasks.andAtomic(driver, ~(1L << i));
            } finally {
                unlock(s);
            }
        }
    }

    /** Notes that a stripe holds headroom for the driver; under the stripe's lock. */
    private void markHeadroom(int driver, int stripe) {
        long bit = 1L << stripe;
        if ((headroomMasks.getOpaque(driver) & bit) == 0) {
            headroomMasks.orAtomic(driver, bit);
        }
    }

    /** The stripe's counts array, grown to hold the driver; under the stripe's lock. */
    private static long[] countsFor(Segment s, int driver) {
        long[] c = s.counts;
        int needed = (driver + 1) * DRIVER_SLOTS;
        if (c.length < needed) {
            c = Arrays.copyOf(c, Math.max(needed, c.length * 2));
            s.counts = c;
        }
        return c;
    }

    @Override
    public long untrack(long address) {
        return untrack(address, null);
    }

    @Override
    public long untrack(long address, long[] record) {
        long h = hash(address);
        Segment s = segments[(int) (h >>> (64 - SEGMENT_BITS))];
        long info;
        lock(s);
        try {
            long[] slots = s.slots;
            int w = find(s, h, address);
            if (w < 0 || ((info = slots[w + 1]) & FREED) != 0) {
                return NOT_TRACKED;
            }
            slots[w + 1] = info | FREED;
            if (record != null) {
                record[0] = info;
                record[1] = slots[w + 2];
            }
            s.live--;
            s.tombstones++;
        } finally {
            unlock(s);
        }
        if (countPerDriver) {
            uncount(
                    stripeOf(Thread.currentThread().threadId()),
                    Tracker.infoDriver(info),
                    Tracker.infoPoolType(info),
                    Tracker.infoSize(info));
        }
        return info;
    }

    @Override
    public long recentlyUntracked(long address) {
        long h = hash(address);
        Segment s = segments[(int) (h >>> (64 - SEGMENT_BITS))];
        lock(s);
        try {
            int w = find(s, h, address);
            if (w < 0 || (s.slots[w + 1] & FREED) == 0) {
                return NOT_TRACKED;
            }
            return s.slots[w + 1] & ~FREED;
        } finally {
            unlock(s);
        }
    }

    @Override
    public void forget(long address) {
        long h = hash(address);
        Segment s = segments[(int) (h >>> (64 - SEGMENT_BITS))];
        lock(s);
        try {
            int w = find(s, h, address);
            if (w >= 0 && (s.slots[w + 1] & FREED) != 0) {
                // a tombstone cannot simply be emptied (it may sit inside another key's probe run):
                // give it an address no block can have
                s.slots[w] = FORGOTTEN;
            }
        } finally {
            unlock(s);
        }
    }

    /** The word index of {@code address}'s slot, live or tombstone, or -1; call under the lock. */
    private static int find(Segment s, long h, long address) {
        long[] slots = s.slots;
        int cap = s.capacity;
        int i = index(h, cap);
        while (true) {
            int w = i * WORDS;
            long a = slots[w];
            if (a == 0) {
                return -1;
            }
            if (a == address) {
                return w;
            }
            if (++i == cap) {
                i = 0;
            }
        }
    }

    @Override
    public void driverCounters(int driver, long[] out) {
        Arrays.fill(out, 0, DRIVER_COUNTERS, 0);
        if (!countPerDriver) {
            return;
        }
        int base = driver * DRIVER_SLOTS;
        synchronized (driverLocks[driver & (DRIVER_LOCKS - 1)]) {
            for (Segment s : stripes) {
                lock(s);
            }
            try {
                for (Segment s : stripes) {
                    long[] c = s.counts;
                    if (c.length > base) {
                        for (int k = 0; k < 4; k++) {
                            out[CURRENT_NONPAGED_ALLOCS + k] += c[base + k];
                        }
                    }
                }
            } finally {
                for (Segment s : stripes) {
                    unlock(s);
                }
            }
            for (int k = 0; k < 4; k++) {
                out[PEAK_NONPAGED_ALLOCS + k] = peaks.getOpaque(base + k);
            }
        }
    }

    @Override
    public void forEach(int driver, RecordVisitor visitor) {
        for (Segment s : segments) {
            long[] copy;
            int cap;
            lock(s);
            try {
                cap = s.capacity;
                copy = s.slots.clone();
            } finally {
                unlock(s);
            }
            for (int i = 0; i < cap; i++) {
                int w = i * WORDS;
                long a = copy[w];
                long info = copy[w + 1];
                if (a == 0 || (info & FREED) != 0) {
                    continue;
                }
                int d = Tracker.infoDriver(info);
                if (driver != -1 && d != driver) {
                    continue;
                }
                long w2 = copy[w + 2];
                long w3 = copy[w + 3];
                visitor.record(
                        a,
                        Tracker.infoSize(info),
                        (int) (w2 >>> 32),
                        Tracker.infoPoolType(info),
                        d,
                        (int) w2,
                        w3 >>> 40,
                        EPOCH_MILLIS + (w3 & 0xFF_FFFF_FFFFL));
            }
        }
    }

    @Override
    public long size() {
        long n = 0;
        for (Segment s : segments) {
            lock(s);
            n += s.live;
            unlock(s);
        }
        return n;
    }

    @Override
    public long footprintBytes() {
        long bytes = 0;
        for (Segment s : segments) {
            lock(s);
            bytes += 16L + (long) s.slots.length * Long.BYTES + 160;
            unlock(s);
        }
        return bytes;
    }

    private static void rehash(Segment s) {
        int newCapacity = s.tombstones > s.live / 4 ? s.capacity : s.capacity + (s.capacity >> 2);
        long[] old = s.slots;
        long[] slots = new long[newCapacity * WORDS];
        for (int i = 0; i < s.capacity; i++) {
            int w = i * WORDS;
            long a = old[w];
            if (a == 0 || (old[w + 1] & FREED) != 0) {
                continue;
            }
            int j = index(hash(a), newCapacity);
            while (slots[j * WORDS] != 0) {
                if (++j == newCapacity) {
                    j = 0;
                }
            }
            System.arraycopy(old, w, slots, j * WORDS, WORDS);
        }
        s.slots = slots;
        s.capacity = newCapacity;
        s.tombstones = 0;
    }

    private static long hash(long address) {
        long h = address * 0x9E37_79B9_7F4A_7C15L;
        return h ^ (h >>> 29);
    }

    private static int index(long hash, int capacity) {
        return (int) (((hash & 0xFFFF_FFFFL) * capacity) >>> 32);
    }

    private static void lock(Segment s) {
        if (!LOCK.compareAndSet(s, 0, 1)) {
            lockContended(s);
        }
    }

    private static void lockContended(Segment s) {
        int spins = 0;
        while (!LOCK.compareAndSet(s, 0, 1)) {
            if (++spins < 128) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    private static void unlock(Segment s) {
        LOCK.setRelease(s, 0);
    }
}
