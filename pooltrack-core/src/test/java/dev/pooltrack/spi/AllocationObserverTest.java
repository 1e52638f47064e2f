package dev.pooltrack.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.CallSite;
import dev.pooltrack.Driver;
import dev.pooltrack.DriverVerifierError;
import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Response;
import dev.pooltrack.Tag;
import dev.pooltrack.TagUsage;
import dev.pooltrack.VerifierSettings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class AllocationObserverTest {

    private static final Tag JDBB = Tag.of("Jdbb");

    @Test
    void observedAllocations_countedPerTagForEveryDriver_recordedForVerifiedOnly() {
        PoolTrack pool =
                PoolTrack.create(VerifierSettings.poolTracking("app.jar").withResponse(Response.THROW));
        AllocationObserver o = AllocationObserver.of(pool);
        Driver app = o.driver("app.jar");
        Driver lib = o.driver("lib.jar");
        int site = o.callSite(new CallSite("com.example.App", "run", "App.java", 12, 3));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(4096);
            MemorySegment b = arena.allocate(100);
            o.allocated(app, PoolType.NON_PAGED.code(), a.address(), 4096, JDBB.value(), site);
            o.allocated(lib, PoolType.PAGED.code(), b.address(), 100, JDBB.value(), 0);

            assertThat(pool.snapshot().tag(JDBB)).isEqualTo(new TagUsage(JDBB, 1, 0, 4096, 1, 0, 100));
            assertThat(pool.outstanding(null)).singleElement().satisfies(r -> {
                assertThat(r.address()).isEqualTo(a.address());
                assertThat(r.driver()).isEqualTo("app.jar");
                assertThat(r.callSite().methodName()).isEqualTo("run");
            });
            assertThat(pool.snapshot().driver("lib.jar").currentAllocations()).isZero();

            assertThat(o.freed(b.address())).isTrue();
            assertThat(o.freed(b.address())).isFalse(); // known no more
            assertThat(o.freed(0x1230)).isFalse();
            assertThat(pool.snapshot().tag(JDBB)).isEqualTo(new TagUsage(JDBB, 1, 0, 4096, 1, 1, 0));

            assertThatThrownBy(app::unload)
                    .isInstanceOfSatisfying(
                            DriverVerifierError.class,
                            e -> assertThat(e.violation().leaked())
                                    .extracting(OutstandingAllocation::address)
                                    .containsExactly(a.address()));
            assertThat(o.freed(a.address())).isTrue();
            assertThat(pool.snapshot().tag(JDBB).nonPagedBytes()).isZero();
        }
    }

    /* A free that takes no record array counts with the thread's own records; a virtual thread
     * has none (it records in the shared segments), so the engine needs another array there. */
    @Test
    void freedWithoutARecord_countsExactly_onAPlatformAndAVirtualThread() throws Exception {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("app.jar"));
        AllocationObserver o = AllocationObserver.of(pool);
        Driver app = o.driver("app.jar");
        Driver lib = o.driver("lib.jar");
        onThread(Thread.ofPlatform(), () -> freeOneOfEach(o, app, lib, 0x10000));
        onThread(Thread.ofVirtual(), () -> freeOneOfEach(o, app, lib, 0x20000));

        assertThat(pool.snapshot().tag(JDBB)).isEqualTo(new TagUsage(JDBB, 4, 2, 64, 4, 2, 32));
        assertThat(pool.outstanding("app.jar"))
                .extracting(OutstandingAllocation::address)
                .containsExactlyInAnyOrder(0x10100L, 0x20100L);
    }

    /** Runs {@code r} on a new thread of {@code builder}'s kind and rethrows what it threw. */
    private static void onThread(Thread.Builder builder, Runnable r) throws InterruptedException {
        java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                new java.util.concurrent.atomic.AtomicReference<>();
        builder.start(() -> {
                    try {
                        r.run();
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                })
                .join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    /** On the calling thread: app.jar and lib.jar each allocate two blocks, the first freed with no record array. */
    private static void freeOneOfEach(AllocationObserver o, Driver app, Driver lib, long base) {
        o.allocated(app, PoolType.NON_PAGED.code(), base, 32, JDBB.value(), 0);
        o.allocated(app, PoolType.NON_PAGED.code(), base + 0x100, 32, JDBB.value(), 0);
        o.allocated(lib, PoolType.PAGED.code(), base + 0x200, 16, JDBB.value(), 0);
        o.allocated(lib, PoolType.PAGED.code(), base + 0x300, 16, JDBB.value(), 0);
        assertThat(o.freed(base)).isTrue();
        assertThat(o.freed(base + 0x200)).isTrue();
        assertThat(o.freed(base + 0x200)).isFalse();
    }

    @Test
    void reallocated_keepsDriverTagPoolAndSite() {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("app.jar"));
        AllocationObserver o = AllocationObserver.of(pool);
        Driver app = o.driver("app.jar");
        int site = o.callSite(new CallSite("com.example.App", "grow", "App.java", 20, 9));
        o.allocated(app, PoolType.PAGED.code(), 0x10000, 64, JDBB.value(), site);
        o.reallocated(0x10000, 0x20000, 256);
        OutstandingAllocation r = pool.outstanding("app.jar").getFirst();
        assertThat(r.address()).isEqualTo(0x20000);
        assertThat(r.length()).isEqualTo(256);
        assertThat(r.poolType()).isEqualTo(PoolType.PAGED);
        assertThat(r.tag()).isEqualTo(JDBB);
        assertThat(r.callSite().methodName()).isEqualTo("grow");
        assertThat(pool.snapshot().tag(JDBB)).isEqualTo(new TagUsage(JDBB, 0, 0, 0, 2, 1, 256));
        o.reallocated(0x999990, 0x30000, 8); // unknown old block: nothing recorded
        assertThat(pool.outstanding("app.jar")).hasSize(1);
    }

    @Test
    void driver_seenAgainAfterUnload_isLoadedAgainAndCountsLoads() {
        PoolTrack pool = PoolTrack.create(VerifierSettings.none());
        AllocationObserver o = AllocationObserver.of(pool);
        Driver d = o.driver("plugin.jar");
        assertThat(o.driver("plugin.jar")).isSameAs(d);
        d.unload();
        o.driver("plugin.jar");
        assertThat(pool.snapshot().driver("plugin.jar").loads()).isEqualTo(2);
    }

    @Test
    void freedWithRecord_saysWhatWasFreed() {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("app.jar"));
        AllocationObserver o = AllocationObserver.of(pool);
        Driver app = o.driver("app.jar");
        int site = o.callSite(new CallSite("com.example.App", "map", "App.java", 30, 4));
        o.allocated(app, PoolType.PAGED.code(), 0x40000, 8192, JDBB.value(), site);
        long[] record = new long[AllocationObserver.RECORD_LENGTH];
        assertThat(o.freed(0x40000, record)).isTrue();
        assertThat(record[AllocationObserver.SIZE]).isEqualTo(8192);
        assertThat((int) record[AllocationObserver.TAG]).isEqualTo(JDBB.value());
        assertThat(record[AllocationObserver.POOL_TYPE]).isEqualTo(PoolType.PAGED.code());
        assertThat(o.driverAt((int) record[AllocationObserver.DRIVER])).isSameAs(app);
        assertThat(record[AllocationObserver.SITE]).isEqualTo(site);
        long[] untouched = new long[AllocationObserver.RECORD_LENGTH];
        assertThat(o.freed(0x40000, untouched)).isFalse();
        assertThat(untouched).containsOnly(0);
    }

    @Test
    void allocated_atAnAddressStillRecorded_dropsTheStaleRecordInsteadOfThrowing() {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("app.jar"));
        AllocationObserver o = AllocationObserver.of(pool);
        Driver app = o.driver("app.jar");
        Driver lib = o.driver("lib.jar");
        o.allocated(app, PoolType.NON_PAGED.code(), 0x50000, 100, JDBB.value(), 0);
        o.allocated(app, PoolType.NON_PAGED.code(), 0x50000, 300, JDBB.value(), 0); // its free went unseen
        assertThat(pool.outstanding("app.jar"))
                .singleElement()
                .satisfies(r -> assertThat(r.length()).isEqualTo(300));
        assertThat(pool.snapshot().tag(JDBB)).isEqualTo(new TagUsage(JDBB, 2, 1, 300, 0, 0, 0));
        o.allocated(lib, PoolType.NON_PAGED.code(), 0x60000, 10, JDBB.value(), 0);
        o.allocated(lib, PoolType.NON_PAGED.code(), 0x60000, 20, JDBB.value(), 0);
        assertThat(pool.snapshot().tag(JDBB)).isEqualTo(new TagUsage(JDBB, 4, 2, 320, 0, 0, 0));
    }

    @Test
    void uniqueTags_splitAnObservedTagPerCallSite() {
        AllocationObserver o = splittingCach();
        PoolTrack pool = o.pool();
        Driver app = o.driver("app.jar");
        int put = o.callSite(new CallSite("com.acme.Cache", "put", "Cache.java", 10, 2));
        int grow = o.callSite(new CallSite("com.acme.Cache", "grow", "Cache.java", 20, 5));
        int cach = Tag.of("Cach").value();
        o.allocated(app, PoolType.NON_PAGED.code(), 0x1000, 64, cach, put);
        o.allocated(app, PoolType.NON_PAGED.code(), 0x2000, 64, cach, grow);
        o.allocated(app, PoolType.NON_PAGED.code(), 0x3000, 64, cach, put);
        o.allocated(app, PoolType.NON_PAGED.code(), 0x4000, 64, JDBB.value(), put); // not a unique tag

        assertThat(pool.outstanding("app.jar"))
                .extracting(r -> r.tag().text())
                .containsExactly("Cac1", "Cac2", "Cac1", "Jdbb");
        assertThat(pool.uniqueTagMap())
                .containsEntry(Tag.of("Cac1"), new CallSite("com.acme.Cache", "put", "Cache.java", 10, 2))
                .containsEntry(Tag.of("Cac2"), new CallSite("com.acme.Cache", "grow", "Cache.java", 20, 5));
        assertThat(o.freed(0x2000)).isTrue();
        assertThat(pool.snapshot().tag(Tag.of("Cac2")).nonPagedBytes()).isZero();
    }

    @Test
    void allocatedWithTagIndex_countsUnderThatTag_andAUniqueTagStillSplitsIt() {
        AllocationObserver o = splittingCach();
        PoolTrack pool = o.pool();
        Driver app = o.driver("app.jar");
        Driver lib = o.driver("lib.jar");
        int cach = Tag.of("Cach").value();
        int jdbbIndex = o.tagIndex(JDBB.value());
        int cachIndex = o.tagIndex(cach);
        assertThat(o.tagIndex(JDBB.value())).isEqualTo(jdbbIndex);
        assertThat(cachIndex).isNotEqualTo(jdbbIndex);
        int put = o.callSite(new CallSite("com.acme.Cache", "put", "Cache.java", 10, 2));

        o.allocated(lib, PoolType.NON_PAGED.code(), 0x1000, 64, JDBB.value(), jdbbIndex, 0);
        o.allocated(lib, PoolType.PAGED.code(), 0x2000, 32, JDBB.value(), -1, 0);
        o.allocated(app, PoolType.NON_PAGED.code(), 0x3000, 16, cach, cachIndex, put);

        assertThat(pool.snapshot().tag(JDBB)).isEqualTo(new TagUsage(JDBB, 1, 0, 64, 1, 0, 32));
        assertThat(pool.snapshot().tag(Tag.of("Cac1"))).isEqualTo(new TagUsage(Tag.of("Cac1"), 1, 0, 16, 0, 0, 0));
        assertThat(pool.snapshot().tag(Tag.of("Cach")).nonPagedAllocs()).isZero();
        assertThat(o.freed(0x1000)).isTrue();
        assertThat(o.freed(0x3000)).isTrue();
        assertThat(pool.snapshot().tag(JDBB)).isEqualTo(new TagUsage(JDBB, 1, 1, 0, 1, 0, 32));
        assertThat(pool.snapshot().tag(Tag.of("Cac1")).nonPagedBytes()).isZero();
    }

    /** An observer of a new pool that verifies app.jar and splits the tag Cach per call site. */
    private static AllocationObserver splittingCach() {
        return AllocationObserver.of(PoolTrack.create(
                VerifierSettings.poolTracking("app.jar").withUniqueTags(java.util.Set.of(Tag.of("Cach")))));
    }
}
