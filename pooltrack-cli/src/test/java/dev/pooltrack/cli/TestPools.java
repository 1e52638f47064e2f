package dev.pooltrack.cli;

import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import dev.pooltrack.VerifierSettings;
import dev.pooltrack.cli.source.LocalPoolSource;
import dev.pooltrack.cli.source.PoolSource;
import dev.pooltrack.cli.source.PoolSources;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Real pools with real allocations for the command tests, and resolvers that open them. */
final class TestPools {

    static final String STORAGE = "storage-plugin";
    static final String NETWORK = "network-plugin";
    static final String PID = "4242";
    static final String NEVER_LOADED = "audio-plugin";

    /** The blocks allocated and not freed, so they stay live for the test. */
    private final List<MemorySegment> held = new ArrayList<>();

    final PoolTrack pool;
    final Driver storage;
    final Driver network;

    /**
     * A pool with nothing verified: storage-plugin holds 3 Leak blocks of 100 bytes and 2 Lea1 blocks
     * of 40 (NonPaged) and one Mmap block of 8192 (Paged); network-plugin allocated 5 Netw blocks of
     * 64 bytes and freed 4. cache-plugin was loaded once and unloaded; audio-plugin is named in the
     * settings and was never loaded.
     */
    TestPools() {
        pool = PoolTrack.create(VerifierSettings.none().withDrivers(Set.of(NEVER_LOADED)));
        storage = pool.load(STORAGE);
        network = pool.load(NETWORK);
        pool.load("cache-plugin").unload();
        allocate(storage, PoolType.NON_PAGED, 100, "Leak", 3);
        allocate(storage, PoolType.NON_PAGED, 40, "Lea1", 2);
        allocate(storage, PoolType.PAGED, 8192, "Mmap", 1);
        List<MemorySegment> netw = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            netw.add(network.allocate(PoolType.NON_PAGED, 64, Tag.of("Netw")));
        }
        for (int i = 0; i < 4; i++) {
            network.free(netw.get(i));
        }
        held.add(netw.get(4));
    }

    /** Allocates {@code count} blocks and keeps them. */
    void allocate(Driver d, PoolType type, long bytes, String tag, int count) {
        for (int i = 0; i < count; i++) {
            held.add(d.allocate(type, bytes, Tag.of(tag)));
        }
    }

    /** The pool as the source of JVM {@link #PID}. */
    PoolSource source() {
        return new LocalPoolSource(pool, "JVM " + PID + " (dev.pooltrack.test.Main)");
    }

    /** A resolver that opens this pool for pid {@link #PID} and refuses any other. */
    PoolSources sources() {
        return new PoolSources() {
            @Override
            public PoolSource open(String pid) {
                if (pid == null || pid.equals(PID)) {
                    return source();
                }
                throw new IllegalArgumentException("no JVM with pid " + pid);
            }

            @Override
            public List<String> candidates() {
                return List.of(PID + "  dev.pooltrack.test.Main");
            }
        };
    }
}
