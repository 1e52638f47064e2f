package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.internal.Tracker;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Call sites captured as a stack at allocation and found when read: the listings name the same code
 * an eager walk names, and a freed block's stack is dropped.
 */
class LazyCallSiteTest {

    static final Tag LEAK = Tag.of("Leak");

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.pooltrack.PoolTrackTest#trackers")
    void outstanding_stackKeptPerBlock_namesTheAllocatingLine_andFreeDropsIt(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("a"), tracker.get());
        Driver a = pool.load("a");
        int line = lineHere() + 1;
        MemorySegment first = a.allocate(PoolType.NON_PAGED, 24, LEAK);
        MemorySegment second = a.allocate(PoolType.PAGED, 40, LEAK);

        assertThat(pool.callSiteStacksKept()).isEqualTo(2);
        assertThat(pool.outstanding("a"))
                .extracting(OutstandingAllocation::callSite)
                .containsExactlyInAnyOrder(
                        new CallSite(
                                LazyCallSiteTest.class.getName(),
                                "outstanding_stackKeptPerBlock_namesTheAllocatingLine_andFreeDropsIt",
                                "LazyCallSiteTest.java",
                                line,
                                -1),
                        new CallSite(
                                LazyCallSiteTest.class.getName(),
                                "outstanding_stackKeptPerBlock_namesTheAllocatingLine_andFreeDropsIt",
                                "LazyCallSiteTest.java",
                                line + 1,
                                -1));

        a.free(first);
        assertThat(pool.callSiteStacksKept()).isEqualTo(1);
        a.free(second);
        assertThat(pool.callSiteStacksKept()).isZero();
        assertThat(pool.outstanding("a")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.pooltrack.PoolTrackTest#trackers")
    void unload_leakListing_namesTheLazilyCapturedSite(String name, Supplier<Tracker> tracker) {
        PoolTrack pool =
                PoolTrack.create(VerifierSettings.poolTracking("leaky").withResponse(Response.THROW), tracker.get());
        Driver d = pool.load("leaky");
        leakFromHelper(d);

        assertThatThrownBy(d::unload).isInstanceOfSatisfying(DriverVerifierError.class, e -> {
            assertThat(e.violation().leaked()).singleElement().satisfies(o -> {
                assertThat(o.callSite().methodName()).isEqualTo("leakFromHelper");
                assertThat(o.callSite().toString())
                        .isEqualTo(LazyCallSiteTest.class.getName() + ".leakFromHelper(LazyCallSiteTest.java:"
                                + o.callSite().line() + ")");
            });
        });
        assertThat(pool.callSiteStacksKept()).isEqualTo(1);
    }

    private static void leakFromHelper(Driver d) {
        d.allocate(PoolType.NON_PAGED, 16, LEAK);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.pooltrack.PoolTrackTest#trackers")
    void registeredSiteOrCallSitesOff_keepNoStack(String name, Supplier<Tracker> tracker) {
        PoolTrack on = PoolTrack.create(VerifierSettings.poolTracking("a"), tracker.get());
        Driver a = on.load("a");
        CallSite site = new CallSite("com.example.Plugin", "read", "Plugin.java", 42, 7);
        a.allocate(PoolType.NON_PAGED, 8, LEAK, on.callSite(site));
        PoolTrack off = PoolTrack.create(VerifierSettings.poolTracking("b").withCallSites(false), tracker.get());
        off.load("b").allocate(PoolType.NON_PAGED, 8, LEAK);

        assertThat(on.callSiteStacksKept()).isZero();
        assertThat(on.outstanding("a").getFirst().callSite()).isEqualTo(site);
        assertThat(off.callSiteStacksKept()).isZero();
        assertThat(off.outstanding("b").getFirst().callSite()).isEqualTo(CallSite.UNKNOWN);
    }

    private static int lineHere() {
        return StackWalker.getInstance()
                .walk(s -> s.skip(1).findFirst())
                .orElseThrow()
                .getLineNumber();
    }
}
