package dev.pooltrack;

import dev.pooltrack.internal.PageLocks;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pages locked through MDLs in one pool, and per driver the locked MDLs and their counters.
 * Thread-safe.
 */
final class LockedPages {

    /* Windows keeps LockedBytes and PeakLockedBytes in SYSTEM_VERIFIER_COUNTERS_INFORMATION
     * (reference §4.1); PoolTrack keeps them, and the pages, per driver whose locks are tracked,
     * that is while it is verified with Pool Tracking, as Pool Tracking turns on locked-page
     * tracking on Windows since Vista (§1.4). Bytes are whole pages. */

    private static final class DriverLocks {
        final Set<Mdl> locked = new LinkedHashSet<>();
        long pages;
        long peakBytes;
    }

    private final PageLocks pages = new PageLocks();
    private final Map<Integer, DriverLocks> drivers = new ConcurrentHashMap<>();

    void lock(Mdl mdl, long address, long length, boolean tracked) {
        pages.lock(address, length);
        if (tracked) {
            DriverLocks d = drivers.computeIfAbsent(mdl.driver.index, i -> new DriverLocks());
            synchronized (d) {
                d.locked.add(mdl);
                d.pages += PageLocks.pageCount(address, length);
                d.peakBytes = Math.max(d.peakBytes, d.pages * PageLocks.pageSize());
            }
        }
    }

    void unlock(Mdl mdl, long address, long length) {
        pages.unlock(address, length);
        DriverLocks d = drivers.get(mdl.driver.index);
        if (d != null) {
            synchronized (d) {
                if (d.locked.remove(mdl)) {
                    d.pages -= PageLocks.pageCount(address, length);
                }
            }
        }
    }

    /** The tracked MDLs of a driver with pages locked now. */
    List<Mdl> lockedBy(Driver driver) {
        DriverLocks d = drivers.get(driver.index);
        if (d == null) {
            return List.of();
        }
        synchronized (d) {
            return new ArrayList<>(d.locked);
        }
    }

    /** {@code [locked pages, locked bytes, peak locked bytes]} of a driver. */
    long[] counters(Driver driver) {
        DriverLocks d = drivers.get(driver.index);
        if (d == null) {
            return new long[3];
        }
        synchronized (d) {
            return new long[] {d.pages, d.pages * PageLocks.pageSize(), d.peakBytes};
        }
    }

    /** Unlocks what a driver left locked and returns a 0xCB violation for each MDL. */
    List<Violation> unlockLeftAtUnload(Driver driver) {
        List<Violation> out = new ArrayList<>();
        for (Mdl m : lockedBy(driver)) {
            Violation v = m.unlockLeft();
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    /** The bytes locked through this pool now, in whole pages. */
    long lockedBytes() {
        return pages.lockedBytes();
    }
}
