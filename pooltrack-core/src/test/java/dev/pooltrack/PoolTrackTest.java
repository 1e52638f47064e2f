package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.internal.LockingTracker;
import dev.pooltrack.internal.StripedTracker;
import dev.pooltrack.internal.Tracker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The pool's rules and counters, run against the fast tracker and the reference model. */
class PoolTrackTest {

    static final Tag LEAK = Tag.of("Leak");
    static final Tag OTHR = Tag.of("Othr");

    static Stream<Arguments> trackers() {
        return Stream.of(
                Arguments.of("striped", (Supplier<Tracker>) StripedTracker::new),
                Arguments.of("locking", (Supplier<Tracker>) LockingTracker::new));
    }

    static PoolTrack pool(Supplier<Tracker> tracker, Response response, String... verified) {
        return PoolTrack.create(VerifierSettings.poolTracking(verified).withResponse(response), tracker.get());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void allocate_realNativeMemory_writableAndCounted(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = pool(tracker, Response.THROW, "a");
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 100, LEAK);
        s.fill((byte) 0x5A);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 92, 42L);
        assertThat(s.byteSize()).isEqualTo(100);
        assertThat(s.address() % 16).isZero();
        assertThat(s.get(ValueLayout.JAVA_LONG_UNALIGNED, 92)).isEqualTo(42L);

        PoolSnapshot snap = pool.snapshot();
        assertThat(snap.tag(LEAK)).isEqualTo(new TagUsage(LEAK, 1, 0, 100, 0, 0, 0));
        DriverCounters d = snap.driver("a");
        assertThat(d.currentNonPagedPoolAllocations()).isEqualTo(1);
        assertThat(d.nonPagedPoolUsageInBytes()).isEqualTo(100);
        assertThat(snap.global().allocationsAttempted()).isEqualTo(1);
        assertThat(snap.global().allocationsSucceeded()).isEqualTo(1);

        a.free(s, LEAK);
        snap = pool.snapshot();
        assertThat(snap.tag(LEAK)).isEqualTo(new TagUsage(LEAK, 1, 1, 0, 0, 0, 0));
        assertThat(snap.driver("a").currentAllocations()).isZero();
        assertThat(snap.driver("a").peakNonPagedPoolAllocations()).isEqualTo(1);
        assertThat(pool.violations()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void outstanding_verifiedDriver_recordsAddressLengthTagSiteAndThread(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = pool(tracker, Response.THROW, "a");
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.PAGED, 48, LEAK); // this line is the call site
        int line = new Throwable().getStackTrace()[0].getLineNumber() - 1;

        List<OutstandingAllocation> out = pool.outstanding("a");

        assertThat(out).hasSize(1);
        OutstandingAllocation o = out.get(0);
        assertThat(o.address()).isEqualTo(s.address());
        assertThat(o.length()).isEqualTo(48);
        assertThat(o.tag()).isEqualTo(LEAK);
        assertThat(o.poolType()).isEqualTo(PoolType.PAGED);
        assertThat(o.driver()).isEqualTo("a");
        assertThat(o.callSite().className()).isEqualTo(PoolTrackTest.class.getName());
        assertThat(o.callSite().methodName())
                .isEqualTo("outstanding_verifiedDriver_recordsAddressLengthTagSiteAndThread");
        assertThat(o.callSite().line()).isEqualTo(line);
        assertThat(o.threadId()).isEqualTo(Thread.currentThread().threadId() & 0xFF_FFFF);
        assertThat(o.timeMillis()).isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis() + 1000);
        a.free(s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void unload_withLeaks_raisesC4_62WithNameAndCountAndListing(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = pool(tracker, Response.THROW, "leaky");
        Driver d = pool.load("leaky");
        MemorySegment kept1 = d.allocate(PoolType.NON_PAGED, 64, LEAK);
        MemorySegment kept2 = d.allocate(PoolType.PAGED, 32, LEAK);
        d.free(d.allocate(PoolType.NON_PAGED, 16, OTHR));

        assertThatThrownBy(d::unload).isInstanceOfSatisfying(DriverVerifierError.class, e -> {
            Violation v = e.violation();
            assertThat(v.code()).isEqualTo(0xC4);
            assertThat(v.arg(1).value()).isEqualTo(0x62);
            assertThat(v.arg(2).text()).isEqualTo("leaky");
            assertThat(v.arg(4).value()).isEqualTo(2);
            assertThat(v.bucket()).isEqualTo("0xc4_62");
            assertThat(v.leaked())
                    .extracting(OutstandingAllocation::address)
                    .containsExactlyInAnyOrder(kept1.address(), kept2.address());
        });
        assertThat(d.status()).isEqualTo(DriverStatus.UNLOADED);
        assertThat(pool.snapshot().driver("leaky").unloads()).isEqualTo(1);
        assertThat(pool.outstanding("leaky")).hasSize(2);
        d.free(kept1);
        d.free(kept2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void unload_clean_raisesNothing(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = pool(tracker, Response.THROW, "clean");
        Driver d = pool.load("clean");
        d.free(d.allocate(PoolType.NON_PAGED, 64, LEAK));
        d.unload();
        assertThat(pool.violations()).isEmpty();
        assertThat(pool.snapshot().driver("clean").status()).isEqualTo(DriverStatus.UNLOADED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void unload_unverifiedDriverWithLeaks_raisesNothing(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = pool(tracker, Response.THROW, "other");
        Driver d = pool.load("plain");
        MemorySegment s = d.allocate(PoolType.NON_PAGED, 64, LEAK);
        d.unload();
        assertThat(pool.violations()).isEmpty();
        assertThat(pool.snapshot().tag(LEAK).nonPagedOutstanding()).isEqualTo(1);
        d.free(s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void allocate_zeroBytes_raisesC4_00WithPoolType(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = pool(tracker, Response.LOG, "a");
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.PAGED, 0, LEAK);
        Violation v = pool.violations().getFirst();
        assertThat(v.bucket()).isEqualTo("0xc4_0");
        assertThat(v.arg(2).value()).isZero();
        assertThat(v.arg(3).value()).isEqualTo(1);
        assertThat(v.arg(4).value()).isZero();
        assertThat(v.callSite().methodName()).isEqualTo("allocate_zeroBytes_raisesC4_00WithPoolType");
        a.free(s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void free_neverAllocatedAddress_raisesC4_10AndFreesNothing(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = pool(tracker, Response.THROW, "a");
        Driver a = pool.load("a");
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(64, 16).asSlice(16);
            assertThatThrownBy(() -> a.free(foreign)).isInstanceOfSatisfying(DriverVerifierError.class, e -> {
                assertThat(e.violation().bucket()).isEqualTo("0xc4_10");
                assertThat(e.violation().arg(2).value()).isEqualTo(foreign.address());
                assertThat(e.violation().arg(3).value()).isZero();
            });
        }
        assertThatThrownBy(() -> a.free(MemorySegment.ofAddress(0x1238)))
                .isInstanceOfSatisfying(
                        DriverVerifierError.class,
                        e -> assertThat(e.violation().arg(2).value()).isEqualTo(0x1238));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void free_twice_raisesC4_13WithHeaderPointer(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = pool(tracker, Response.THROW, "a");
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 64, LEAK);
        a.free(s);
        assertThatThrownBy(() -> a.free(s)).isInstanceOfSatisfying(DriverVerifierError.class, e -> {
            assertThat(e.violation().bucket()).isEqualTo("0xc4_13");
            assertThat(e.violation().arg(3).value()).isEqualTo(s.address() - 16);
        });
        assertThat(pool.snapshot().tag(LEAK).nonPagedFrees()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void free_wrongTag_raisesC2_0AWithBothTags(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = pool(tracker, Response.THROW, "a");
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 64, LEAK);
        assertThatThrownBy(() -> a.free(s, OTHR)).isInstanceOfSatisfying(DriverVerifierError.class, e -> {
            Violation v = e.violation();
            assertThat(v.code()).isEqualTo(0xC2);
            assertThat(v.arg(1).value()).isEqualTo(0x0A);
            assertThat(v.arg(2).value()).isEqualTo(s.address());
            assertThat(v.arg(3).value()).isEqualTo(LEAK.value() & 0xFFFF_FFFFL);
            assertThat(v.arg(4).value()).isEqualTo(OTHR.value() & 0xFFFF_FFFFL);
        });
        // the block was freed before the error: nothing outstanding, nothing double-counted
        assertThat(pool.snapshot().tag(LEAK).nonPagedOutstanding()).isZero();
        assertThat(pool.snapshot().driver("a").currentAllocations()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void free_wrongTagOfUnverifiedDriver_raisesC2_0A(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = pool(tracker, Response.LOG, "someone-else");
        Driver a = pool.load("a");
        a.free(a.allocate(PoolType.NON_PAGED, 64, LEAK), OTHR);
        assertThat(pool.violations()).extracting(Violation::bucket).containsExactly("0xc2_a");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void allocate_afterUnload_raisesC4_61WithBytesAndCount(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = pool(tracker, Response.LOG, "a");
        Driver a = pool.load("a");
        MemorySegment kept = a.allocate(PoolType.PAGED, 40, LEAK);
        a.unload();
        MemorySegment late = a.allocate(PoolType.NON_PAGED, 8, LEAK);
        assertThat(pool.violations()).extracting(Violation::bucket).containsExactly("0xc4_62", "0xc4_61");
        Violation v = pool.violations().get(1);
        assertThat(v.arg(2).value()).isEqualTo(40);
        assertThat(v.arg(3).value()).isZero();
        assertThat(v.arg(4).value()).isEqualTo(1);
        a.free(kept);
        a.free(late);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void addDriver_whileLoaded_tracksOnlyNewAllocations(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = pool(tracker, Response.THROW);
        Driver a = pool.load("a");
        MemorySegment before = a.allocate(PoolType.NON_PAGED, 64, LEAK);
        pool.addDriver("a");
        MemorySegment after = a.allocate(PoolType.NON_PAGED, 32, LEAK);
        assertThat(pool.outstanding("a"))
                .extracting(OutstandingAllocation::address)
                .containsExactly(after.address());
        a.free(before); // untracked allocation: freed without a violation
        a.free(after);
        assertThat(pool.violations()).isEmpty();
        assertThat(pool.snapshot().tag(LEAK).nonPagedOutstanding()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void removeDriver_loaded_refusedAsOnWindows(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = pool(tracker, Response.THROW, "a");
        pool.load("a");
        assertThatThrownBy(() -> pool.removeDriver("a"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("driver a is loaded: it stays verified until it unloads");
        assertThatThrownBy(() -> pool.removeDriver("zz"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("driver zz is not in the verified driver list");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void uniqueTags_eachCallSiteGetsItsOwnTag(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = PoolTrack.create(
                VerifierSettings.poolTracking("a").withUniqueTags(Set.of(LEAK)).withResponse(Response.THROW),
                tracker.get());
        Driver a = pool.load("a");
        MemorySegment first = siteOne(a);
        MemorySegment second = siteTwo(a);
        MemorySegment again = siteOne(a);
        assertThat(pool.snapshot().tag(Tag.of("Lea1")).nonPagedOutstanding()).isEqualTo(2);
        assertThat(pool.snapshot().tag(Tag.of("Lea2")).nonPagedOutstanding()).isEqualTo(1);
        assertThat(pool.uniqueTagMap().get(Tag.of("Lea1")).methodName()).isEqualTo("siteOne");
        assertThat(pool.uniqueTagMap().get(Tag.of("Lea2")).methodName()).isEqualTo("siteTwo");
        a.free(first, LEAK); // ExFreePoolWithTag with the tag the code passes: no 0xC2/0x0A
        a.free(second, LEAK);
        assertThatThrownBy(() -> a.free(again, OTHR))
                .isInstanceOfSatisfying(
                        DriverVerifierError.class,
                        e -> assertThat(e.violation().bucket()).isEqualTo("0xc2_a"));
        assertThat(pool.violations()).hasSize(1);
    }

    @org.junit.jupiter.api.Test
    void settings_keepTheDriverOrderGiven() {
        assertThat(VerifierSettings.poolTracking("z", "a", "m").drivers()).containsExactly("z", "a", "m");
    }

    private static MemorySegment siteOne(Driver d) {
        return d.allocate(PoolType.NON_PAGED, 10, LEAK);
    }

    private static MemorySegment siteTwo(Driver d) {
        return d.allocate(PoolType.NON_PAGED, 20, LEAK);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void allocateUntagged_countsAllocationsWithNoTagUnderNone(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = pool(tracker, Response.THROW, "a");
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 8);
        assertThat(pool.snapshot().global().allocationsWithNoTag()).isEqualTo(1);
        assertThat(pool.snapshot().tag(Tag.NONE).nonPagedOutstanding()).isEqualTo(1);
        a.free(s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void callSitesOff_recordsUnknownSite(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("a").withCallSites(false), tracker.get());
        Driver a = pool.load("a");
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 8, LEAK);
        assertThat(pool.outstanding("a").getFirst().callSite()).isEqualTo(CallSite.UNKNOWN);
        a.free(s);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trackers")
    void registeredCallSite_isRecordedWithoutStackWalk(String name, Supplier<Tracker> tracker) {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("a").withCallSites(false), tracker.get());
        Driver a = pool.load("a");
        CallSite site = new CallSite("com.example.Plugin", "read", "Plugin.java", 42, 7);
        MemorySegment s = a.allocate(PoolType.NON_PAGED, 8, LEAK, pool.callSite(site));
        assertThat(pool.outstanding("a").getFirst().callSite()).isEqualTo(site);
        a.free(s);
    }

    @org.junit.jupiter.api.Test
    void badInput_clearErrors() {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking("a"));
        Driver a = pool.load("a");
        assertThatThrownBy(() -> a.allocate(PoolType.NON_PAGED, -5, LEAK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad allocation size -5: the size must not be negative");
        assertThatThrownBy(() -> pool.driver("nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown driver 'nope'");
        assertThatThrownBy(() -> pool.load("a")).hasMessage("driver a is loaded already");
        assertThatThrownBy(() -> pool.outstanding("nope")).hasMessageStartingWith("unknown driver 'nope'");
        a.unload();
        assertThatThrownBy(a::unload).hasMessage("driver a is not loaded (Unloaded)");
    }

    @org.junit.jupiter.api.Test
    void settings_unimplementedFlags_refusedWithReason() {
        assertThat(VerifierSettings.none().withFlags(0x4000D).flags()).isEqualTo(0x4000D);
        assertThatThrownBy(() -> VerifierSettings.none().withFlags(0x2))
                .hasMessageContaining("0x2 (Force IRQL checking) has no counterpart on the JVM");
        assertThatThrownBy(() -> VerifierSettings.none().withFlags(0x1000))
                .hasMessageContaining("0x1000 is not a Driver Verifier flag");
        assertThat(VerifierFlags.standardFlags()).isEqualTo(0x9);
        assertThat(VerifierFlags.parse("0x8")).isEqualTo(8);
        assertThat(VerifierFlags.parse("0b1000")).isEqualTo(8);
        assertThat(VerifierFlags.parse("8")).isEqualTo(8);
        assertThatThrownBy(() -> VerifierFlags.parse("0xZZ")).hasMessageStartingWith("bad flags value '0xZZ'");
    }
}
