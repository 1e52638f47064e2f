package dev.pooltrack.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.BugCheck;
import dev.pooltrack.DriverStatus;
import dev.pooltrack.DriverVerifierError;
import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Response;
import dev.pooltrack.Tag;
import dev.pooltrack.TagUsage;
import dev.pooltrack.VerifierSettings;
import dev.pooltrack.Violation;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SampleWorkloadTest {

    private static PoolTrack verifiedPool(Response response) {
        return PoolTrack.create(VerifierSettings.poolTracking(StorageDriver.NAME, NetworkDriver.NAME)
                .withResponse(response));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 19, 20, 21, 39, 40, 300})
    void close_afterRequests_storageLeaksOneMetadataBlockPerCacheInterval(int requests) {
        PoolTrack pool = verifiedPool(Response.LOG);
        SampleWorkload workload = SampleWorkload.load(pool);
        workload.run(requests);
        workload.storage().close();

        long leaked = requests / StorageDriver.CACHE_EVERY;
        List<OutstandingAllocation> outstanding = pool.outstanding(StorageDriver.NAME);
        assertThat(outstanding).hasSize((int) leaked).allSatisfy(a -> {
            assertThat(a.tag()).isEqualTo(Tag.of("Leak"));
            assertThat(a.length()).isEqualTo(StorageDriver.METADATA_BYTES);
            assertThat(a.poolType()).isEqualTo(PoolType.NON_PAGED);
            assertThat(a.callSite().className()).isEqualTo(StorageDriver.class.getName());
            assertThat(a.callSite().methodName()).isEqualTo("cacheMetadata");
        });
        var counters = pool.snapshot().driver(StorageDriver.NAME);
        assertThat(counters.status()).isEqualTo(DriverStatus.UNLOADED);
        assertThat(counters.currentAllocations()).isEqualTo(leaked);
        assertThat(counters.currentBytes()).isEqualTo(leaked * StorageDriver.METADATA_BYTES);
    }

    @Test
    void close_afterLeakingRequests_raisesLeakAtUnloadNamingStorageAndCount() {
        PoolTrack pool = verifiedPool(Response.LOG);
        SampleWorkload workload = SampleWorkload.load(pool);
        workload.run(300);
        workload.storage().close();

        assertThat(pool.violations()).singleElement().satisfies(v -> {
            assertThat(v.code()).isEqualTo(BugCheck.DRIVER_VERIFIER_DETECTED_VIOLATION);
            assertThat(v.subcode()).isEqualTo(BugCheck.UNLOAD_WITH_OUTSTANDING_ALLOCATIONS);
            assertThat(v.driver()).isEqualTo(StorageDriver.NAME);
            assertThat(v.arg(4).value()).isEqualTo(300 / StorageDriver.CACHE_EVERY);
            assertThat(v.leaked()).hasSize(300 / StorageDriver.CACHE_EVERY);
        });
    }

    @Test
    void close_afterRequests_networkFreesEverythingAndRaisesNothing() {
        PoolTrack pool = verifiedPool(Response.THROW);
        SampleWorkload workload = SampleWorkload.load(pool);
        workload.run(300);
        workload.network().close();

        assertThat(pool.outstanding(NetworkDriver.NAME)).isEmpty();
        assertThat(pool.violations()).isEmpty();
        var counters = pool.snapshot().driver(NetworkDriver.NAME);
        assertThat(counters.status()).isEqualTo(DriverStatus.UNLOADED);
        assertThat(counters.currentBytes()).isZero();
        assertThat(workload.network().packets()).isEqualTo(300);
    }

    @Test
    void run_300Requests_tagCountersShowEveryAllocationAndOnlyTheCacheOutstanding() {
        PoolTrack pool = verifiedPool(Response.LOG);
        SampleWorkload workload = SampleWorkload.load(pool);
        workload.run(300);
        PoolSnapshot s = pool.snapshot();

        long cached = 300 / StorageDriver.CACHE_EVERY;
        assertThat(s.tag(StorageDriver.LEAK))
                .isEqualTo(new TagUsage(
                        StorageDriver.LEAK, 300 + cached, 300, cached * StorageDriver.METADATA_BYTES, 0, 0, 0));
        assertThat(s.tag(StorageDriver.STOR))
                .isEqualTo(new TagUsage(StorageDriver.STOR, 1 + 300, 300, StorageDriver.SUPERBLOCK_BYTES, 0, 0, 0));
        assertThat(s.tag(NetworkDriver.RCV)).isEqualTo(new TagUsage(NetworkDriver.RCV, 300, 300, 0, 0, 0, 0));
        assertThat(s.tag(NetworkDriver.NETB))
                .isEqualTo(new TagUsage(
                        NetworkDriver.NETB, 1, 0, (long) NetworkDriver.RING_SLOTS * NetworkDriver.SLOT_BYTES, 0, 0, 0));
        assertThat(s.tags().stream().max((a, b) -> Long.compare(a.nonPagedBytes(), b.nonPagedBytes())))
                .get()
                .extracting(TagUsage::tag)
                .isEqualTo(StorageDriver.LEAK);
    }

    @Test
    void run_inTwoRounds_cachesByTotalRequestCount() {
        PoolTrack pool = verifiedPool(Response.LOG);
        SampleWorkload workload = SampleWorkload.load(pool);
        int half = StorageDriver.CACHE_EVERY / 2 + 1;
        workload.run(half);
        workload.run(half);

        assertThat(workload.storage().requests()).isEqualTo(2 * half);
        assertThat(workload.storage().cachedMetadata()).isEqualTo(1);
    }

    @Test
    void close_responseThrow_throwsLeakAtUnloadAndStillUnloads() {
        PoolTrack pool = verifiedPool(Response.THROW);
        SampleWorkload workload = SampleWorkload.load(pool);
        workload.run(StorageDriver.CACHE_EVERY);

        assertThatThrownBy(() -> workload.storage().close())
                .isInstanceOf(DriverVerifierError.class)
                .extracting(e -> ((DriverVerifierError) e).violation())
                .extracting(Violation::bucket)
                .isEqualTo("0xc4_62");
        assertThat(workload.storage().driver().status()).isEqualTo(DriverStatus.UNLOADED);
    }

    @Test
    void run_uniqueTagsForLeak_eachStorageCallSiteGetsItsOwnTagAndOnlyTheCacheSiteKeepsMemory() {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking(StorageDriver.NAME, NetworkDriver.NAME)
                .withUniqueTags(Set.of(StorageDriver.LEAK)));
        SampleWorkload workload = SampleWorkload.load(pool);
        workload.run(5 * StorageDriver.CACHE_EVERY);

        Map<Tag, dev.pooltrack.CallSite> map = pool.uniqueTagMap();
        assertThat(map).containsOnlyKeys(Tag.of("Lea1"), Tag.of("Lea2"));
        assertThat(map.get(Tag.of("Lea1")).methodName()).isEqualTo("readBlock");
        assertThat(map.get(Tag.of("Lea2")).methodName()).isEqualTo("cacheMetadata");
        PoolSnapshot s = pool.snapshot();
        assertThat(s.tag(Tag.of("Lea1")).nonPagedOutstanding()).isZero();
        assertThat(s.tag(Tag.of("Lea2")).nonPagedOutstanding()).isEqualTo(5);
        assertThat(s.tag(StorageDriver.LEAK).nonPagedAllocs()).isZero();
        assertThat(pool.violations()).isEmpty();
    }

    @Test
    void run_negativeCount_isRefused() {
        SampleWorkload workload = SampleWorkload.load(verifiedPool(Response.LOG));

        assertThatThrownBy(() -> workload.run(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void load_twiceIntoOnePool_isRefusedAndLeavesTheFirstLoaded() {
        PoolTrack pool = verifiedPool(Response.LOG);
        SampleWorkload first = SampleWorkload.load(pool);

        assertThatThrownBy(() -> SampleWorkload.load(pool)).isInstanceOf(IllegalStateException.class);
        assertThat(first.storage().driver().status()).isEqualTo(DriverStatus.LOADED);
        assertThat(first.network().driver().status()).isEqualTo(DriverStatus.LOADED);
    }
}
