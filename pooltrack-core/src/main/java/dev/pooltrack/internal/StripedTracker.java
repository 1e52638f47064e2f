package dev.pooltrack.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The fast {@link Tracker}: records in primitive arrays, split into independently locked segments
 * by address, 32 bytes a record.
 *
 * <p>Thread-safe. Tracking and untracking take one segment's lock (one compare-and-set; the
 * critical section is a few array writes) and two atomic adds on the driver's counters. Nothing is
 * allocated on the Java heap per record, except when a segment grows.
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
     * 2020-01-01, so 40 bits of milliseconds last until 2054. */

    private static final int SEGMENT_BITS = 6;
    private static final int SEGMENTS = 1 << SEGMENT_BITS;
    private static final int WORDS = 4;
    private static final long FREED = 1L << 63;
    private static final long FORGOTTEN = 1; // never a block address: blocks are 16-byte aligned
    private static final int INITIAL_CAPACITY = 64;
    private static final int DRIVER_STRIDE = 16; // 128 bytes between drivers' counters

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
        long q0, q1, q2, q3, q4, q5, q6;

        Segment(int capacity) {
            this.capacity = capacity;
            this.slots = new long[capacity * WORDS];
        }
    }

    private final Segment[] segments = new Segment[SEGMENTS];
    private final ChunkedCounters drivers = new ChunkedCounters();
    private static final long EPOCH_MILLIS = 1_577_836_800_000L; // 2020-01-01T00:00:00Z

    public StripedTracker() {
        for (int i = 0; i < SEGMENTS; i++) {
            segments[i] = new Segment(INITIAL_CAPACITY);
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
        } finally {
            unlock(s);
        }
        count(driver, poolType, 1, size);
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
        count(Tracker.infoDriver(info), Tracker.infoPoolType(info), -1, -Tracker.infoSize(info));
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
        int base = driver * DRIVER_STRIDE;
        for (int i = 0; i < DRIVER_COUNTERS; i++) {
            out[i] = drivers.getOpaque(base + i);
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

    private void count(int driver, int poolType, int allocs, long bytes) {
        int base = driver * DRIVER_STRIDE + (poolType == 0 ? CURRENT_NONPAGED_ALLOCS : CURRENT_PAGED_ALLOCS);
        long n = drivers.addAndGetAtomic(base, allocs);
        long b = drivers.addAndGetAtomic(base + 1, bytes);
        if (allocs > 0) {
            drivers.maxAtomic(base + 4, n);
            drivers.maxAtomic(base + 5, b);
        }
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
