package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The short paths of a driver that is not verified: the tag's counter index kept by the tag, and a
 * free that is decided from the pool header alone. Each must count exactly what the checked path
 * counts and hand every doubtful free to it.
 */
class HotPathTest {

    private static final Tag FIRST = Tag.of("Hp1");
    private static final Tag SHARED = Tag.of("Hp2");

    @Test
    void oneTagInTwoPools_withDifferentCounterIndexes_eachPoolCountsOnlyItsOwnAllocations() {
        PoolTrack a = PoolTrack.create(VerifierSettings.none());
        PoolTrack b = PoolTrack.create(VerifierSettings.none());
        Driver da = a.load("a");
        Driver db = b.load("b");
        da.free(da.allocate(PoolType.NON_PAGED, 8, FIRST)); // SHARED gets index 1 in a, 0 in b
        for (int i = 0; i < 10; i++) {
            MemorySegment x = da.allocate(PoolType.NON_PAGED, 100, SHARED);
            MemorySegment y = db.allocate(PoolType.PAGED, 7, SHARED);
            if (i % 2 == 0) {
                da.free(x);
            }
            db.free(y);
        }

        assertThat(a.snapshot().tag(SHARED)).isEqualTo(new TagUsage(SHARED, 10, 5, 500, 0, 0, 0));
        assertThat(a.snapshot().tag(FIRST)).isEqualTo(new TagUsage(FIRST, 1, 1, 0, 0, 0, 0));
        assertThat(b.snapshot().tag(SHARED)).isEqualTo(new TagUsage(SHARED, 0, 0, 0, 10, 10, 0));
        assertThat(b.snapshot().tag(FIRST).nonPagedOutstanding()).isZero();
        assertThat(b.snapshot().tag(FIRST).allocs(PoolType.NON_PAGED)).isZero();
    }

    @Test
    void unverifiedDriver_freeWithWrongTag_isFreedOnceAndRaisesC2_0A() {
        PoolTrack pool = PoolTrack.create(VerifierSettings.none().withResponse(Response.LOG));
        Driver d = pool.load("d");
        d.free(d.allocate(PoolType.NON_PAGED, 64, FIRST), SHARED);

        assertThat(pool.violations()).extracting(Violation::bucket).containsExactly("0xc2_a");
        assertThat(pool.snapshot().tag(FIRST)).isEqualTo(new TagUsage(FIRST, 1, 1, 0, 0, 0, 0));
    }

    @Test
    void unverifiedDriver_secondFreeOfABlock_raisesAndCountsTheFreeOnce() {
        PoolTrack pool = PoolTrack.create(VerifierSettings.none().withResponse(Response.LOG));
        Driver d = pool.load("d");
        MemorySegment keep = d.allocate(PoolType.NON_PAGED, 64, FIRST); // the freed block is not handed out again
        MemorySegment s = d.allocate(PoolType.NON_PAGED, 64, FIRST);
        d.free(s);
        d.free(s);

        assertThat(pool.violations()).hasSize(1);
        assertThat(pool.violations().getFirst().code()).isEqualTo(0xC2);
        assertThat(pool.snapshot().tag(FIRST)).isEqualTo(new TagUsage(FIRST, 2, 1, 64, 0, 0, 0));
        d.free(keep);
    }
}
