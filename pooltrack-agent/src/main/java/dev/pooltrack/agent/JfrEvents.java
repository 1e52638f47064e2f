package dev.pooltrack.agent;

import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import dev.pooltrack.TagUsage;
import dev.pooltrack.agent.jfr.AllocationEvent;
import dev.pooltrack.agent.jfr.FreeEvent;
import dev.pooltrack.agent.jfr.TagUsageEvent;
import java.util.function.IntFunction;
import jdk.jfr.FlightRecorder;

/**
 * Emits the agent's JFR events. Each costs nothing unless a recording has it enabled ({@code
 * shouldCommit()}, which the JIT folds away when no recording runs).
 *
 * <p>Thread-safe (stateless apart from the periodic hook).
 */
final class JfrEvents {

    private JfrEvents() {}

    /** Registers the periodic per-tag usage event for {@code pool}. */
    static void start(PoolTrack pool) {
        FlightRecorder.addPeriodicEvent(TagUsageEvent.class, () -> {
            for (TagUsage u : pool.snapshot().tags()) {
                TagUsageEvent e = new TagUsageEvent();
                e.tag = u.tag().text();
                e.nonPagedAllocs = u.nonPagedAllocs();
                e.nonPagedFrees = u.nonPagedFrees();
                e.nonPagedBytes = u.nonPagedBytes();
                e.pagedAllocs = u.pagedAllocs();
                e.pagedFrees = u.pagedFrees();
                e.pagedBytes = u.pagedBytes();
                e.commit();
            }
        });
    }

    static void allocated(
            int tag, long bytes, String driver, int poolType, long address, int siteId, IntFunction<Object> sites) {
        AllocationEvent e = new AllocationEvent();
        if (e.shouldCommit()) {
            Object site = siteId == 0 ? null : sites.apply(siteId);
            e.tag = Tag.ofValue(tag).text();
            e.bytes = bytes;
            e.driver = driver;
            e.poolType = PoolType.ofCode(poolType).name();
            e.address = address;
            e.site = site == null ? null : site.toString();
            e.commit();
        }
    }

    /** Whether a recording has the free event enabled now. */
    static boolean freeRecorded() {
        return new FreeEvent().isEnabled();
    }

    static void freed(int tag, long bytes, String driver, int poolType, long address) {
        FreeEvent e = new FreeEvent();
        if (e.shouldCommit()) {
            e.tag = Tag.ofValue(tag).text();
            e.bytes = bytes;
            e.driver = driver;
            e.poolType = PoolType.ofCode(poolType).name();
            e.address = address;
            e.commit();
        }
    }
}
