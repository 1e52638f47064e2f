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
}
