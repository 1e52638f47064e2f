package dev.pooltrack.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The reference model of {@link Tracker}: one lock, a hash map, plain counters.
 *
 * <p>Thread-safe (every method is synchronized). Slow and obviously right; the contract tests hold
 * the fast tracker to what this one does.
 */
public final class LockingTracker implements Tracker {

    private record Rec(long size, int tag, int poolType, int driver, int site, long threadId, long timeMillis) {}

    private static final int RECENT = 4096;

    private final Map<Long, Rec> records = new HashMap<>();
    private final Map<Integer, long[]> counters = new HashMap<>();
    private final ArrayDeque<Long> recentOrder = new ArrayDeque<>();
    private final Map<Long, Long> recent = new HashMap<>();

    @Override
    public synchronized void track(
            long address, long size, int tag, int poolType, int driver, int site, long threadId, long timeMillis) {
        records.put(address, new Rec(size, tag, poolType, driver, site, threadId, timeMillis));
        recent.remove(address);
        long[] c = counters.computeIfAbsent(driver, d -> new long[DRIVER_COUNTERS]);
        int base = poolType == 0 ? CURRENT_NONPAGED_ALLOCS : CURRENT_PAGED_ALLOCS;
        c[base] += 1;
        c[base + 1] += size;
        c[base + 4] = Math.max(c[base + 4], c[base]);
        c[base + 5] = Math.max(c[base + 5], c[base + 1]);
    }

    @Override
    public synchronized long untrack(long address) {
        return untrack(address, null);
    }

    @Override
    public synchronized long untrack(long address, long[] record) {
        Rec r = records.remove(address);
        if (r == null) {
            return NOT_TRACKED;
        }
        if (recent.put(address, Tracker.info(r.size, r.driver, r.poolType)) == null) {
            recentOrder.addLast(address);
            if (recentOrder.size() > RECENT) {
                recent.remove(recentOrder.removeFirst());
            }
        }
        long[] c = counters.get(r.driver);
        int base = r.poolType == 0 ? CURRENT_NONPAGED_ALLOCS : CURRENT_PAGED_ALLOCS;
        c[base] -= 1;
        c[base + 1] -= r.size;
        long info = Tracker.info(r.size, r.driver, r.poolType);
        if (record != null) {
            record[0] = info;
            record[1] = ((long) r.tag << 32) | (r.site & 0xFFFF_FFFFL);
        }
        return info;
    }

    @Override
    public synchronized long recentlyUntracked(long address) {
        return recent.getOrDefault(address, NOT_TRACKED);
    }

    @Override
    public synchronized void forget(long address) {
        recent.remove(address);
    }

    @Override
    public synchronized void driverCounters(int driver, long[] out) {
        long[] c = counters.getOrDefault(driver, new long[DRIVER_COUNTERS]);
        System.arraycopy(c, 0, out, 0, DRIVER_COUNTERS);
    }

    @Override
    public synchronized void forEach(int driver, RecordVisitor visitor) {
        records.forEach((address, r) -> {
            if (driver == -1 || r.driver == driver) {
                visitor.record(address, r.size, r.tag, r.poolType, r.driver, r.site, r.threadId, r.timeMillis);
            }
        });
    }

    @Override
    public synchronized long size() {
        return records.size();
    }

    @Override
    public synchronized long footprintBytes() {
        return records.size() * 120L; // HashMap node + boxed key + record object, roughly
    }
}
