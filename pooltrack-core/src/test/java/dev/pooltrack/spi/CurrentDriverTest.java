package dev.pooltrack.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.Driver;
import dev.pooltrack.DriverVerifierError;
import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Response;
import dev.pooltrack.SettingsFile;
import dev.pooltrack.Tag;
import dev.pooltrack.VerifierSettings;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurrentDriverTest {

    private static final Tag JDBB = Tag.of("Jdbb");

    private final PoolTrack pool =
            PoolTrack.create(VerifierSettings.poolTracking("BufferTest#reads").withResponse(Response.THROW));
    private final AllocationObserver observer = AllocationObserver.of(pool);

    @Test
    void currentDriver_outsideAnyScope_isNone() {
        assertThat(PoolTrack.currentDriver()).isEmpty();
        assertThat(observer.currentDriver()).isNull();
    }

    @Test
    void runAs_bindsTheDriverForTheWork_innermostWins_andNothingAfter() {
        Driver test = pool.load("BufferTest#reads");
        Driver helper = pool.load("helper");
        PoolTrack.runAs(test, () -> {
            assertThat(observer.currentDriver()).isSameAs(test);
            PoolTrack.runAs(helper, () -> assertThat(observer.currentDriver()).isSameAs(helper));
            assertThat(PoolTrack.currentDriver()).containsSame(test);
        });
        assertThat(observer.currentDriver()).isNull();
    }

    @Test
    void currentDriver_ofAnotherPool_isNotThisObserversDriver() {
        PoolTrack other = PoolTrack.create(VerifierSettings.none());
        Driver foreign = other.load("BufferTest#reads");
        PoolTrack.runAs(foreign, () -> {
            assertThat(observer.currentDriver()).isNull();
            assertThat(AllocationObserver.of(other).currentDriver()).isSameAs(foreign);
        });
    }

    @Test
    void currentDriver_onAThreadTheWorkStarts_isNone() throws Exception {
        Driver test = pool.load("BufferTest#reads");
        Driver seenByOtherThread = PoolTrack.callAs(
                test,
                () -> CompletableFuture.supplyAsync(observer::currentDriver).get());
        assertThat(seenByOtherThread).isNull();
    }

    @Test
    void callAs_returnsTheResult_andThrowsWhatTheWorkThrows() {
        Driver test = pool.load("BufferTest#reads");
        assertThat(PoolTrack.callAs(test, () -> observer.currentDriver().name()))
                .isEqualTo("BufferTest#reads");
        assertThatThrownBy(() -> PoolTrack.callAs(test, () -> {
                    throw new IOException("disk gone");
                }))
                .isInstanceOf(IOException.class)
                .hasMessage("disk gone");
        assertThat(observer.currentDriver()).isNull();
    }

    /* What the agent does with it: an allocation inside the scope is charged to the scope's driver
     * rather than to the allocating jar, and the driver's unload finds it. */
    @Test
    void observedAllocation_inTheScope_isChargedToTheCurrentDriver_andLeaksAtItsUnload() {
        Driver test = pool.load("BufferTest#reads");
        Driver jar = observer.driver("test-classes");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment inside = arena.allocate(4096);
            MemorySegment outside = arena.allocate(512);
            PoolTrack.runAs(test, () -> agentAllocated(jar, inside, 4096));
            agentAllocated(jar, outside, 512);

            assertThatThrownBy(test::unload)
                    .isInstanceOfSatisfying(
                            DriverVerifierError.class,
                            e -> assertThat(e.violation().leaked())
                                    .extracting(OutstandingAllocation::address, OutstandingAllocation::driver)
                                    .containsExactly(
                                            org.assertj.core.groups.Tuple.tuple(inside.address(), "BufferTest#reads")));
            assertThat(observer.freed(inside.address())).isTrue();
            assertThat(observer.freed(outside.address())).isTrue();
        }
    }

    private void agentAllocated(Driver byJar, MemorySegment block, long size) {
        Driver d = observer.currentDriver();
        observer.allocated(d != null ? d : byJar, PoolType.NON_PAGED.code(), block.address(), size, JDBB.value(), 0);
    }

    @Test
    void systemPoolObserved_onlyOnceAnObserverReportsToTheSystemPool(@TempDir Path dir) {
        // No other core test touches the system pool: this one creates it, without a settings file.
        System.setProperty(SettingsFile.PROPERTY, dir.resolve("verifier.conf").toString());
        try {
            AllocationObserver.of(PoolTrack.create(VerifierSettings.none()));
            assertThat(AllocationObserver.systemPoolObserved()).isFalse();
            AllocationObserver.of(PoolTrack.system());
            assertThat(AllocationObserver.systemPoolObserved()).isTrue();
        } finally {
            System.clearProperty(SettingsFile.PROPERTY);
        }
    }
}
