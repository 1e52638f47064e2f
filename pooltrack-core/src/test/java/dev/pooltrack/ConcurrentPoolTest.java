package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Many threads allocate and free, some frees on other threads: no count and no record is lost. */
class ConcurrentPoolTest {

    private static final Tag[] TAGS = {Tag.of("Aaa1"), Tag.of("Bbb2"), Tag.of("Ccc3")};

    @Test
    void randomAllocFree_manyThreads_exactTotalsAndRecords() throws Exception {
        PoolTrack pool = PoolTrack.create(
                VerifierSettings.poolTracking("verified").withCallSites(false).withResponse(Response.THROW));
        Driver verified = pool.load("verified");
        Driver plain = pool.load("plain");
        int threads = 4;
        int opsPerThread = 100_000;
        ConcurrentLinkedQueue<MemorySegment[]> handOff = new ConcurrentLinkedQueue<>();
        AtomicLong[][] allocs = new AtomicLong[TAGS.length][2];
        AtomicLong[][] frees = new AtomicLong[TAGS.length][2];
        AtomicLong[][] bytes = new AtomicLong[TAGS.length][2];
        for (int t = 0; t < TAGS.length; t++) {
            for (int p = 0; p < 2; p++) {
                allocs[t][p] = new AtomicLong();
                frees[t][p] = new AtomicLong();
                bytes[t][p] = new AtomicLong();
            }
        }
        List<List<MemorySegment>> kept = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            List<MemorySegment> mine = new ArrayList<>();
            kept.add(mine);
            int seed = w;
            workers.add(Thread.ofPlatform().start(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                for (int i = 0; i < opsPerThread; i++) {
                    int op = random.nextInt(10);
                    if (op < 5 || mine.isEmpty()) {
                        int t = random.nextInt(TAGS.length);
                        PoolType type = random.nextBoolean() ? PoolType.NON_PAGED : PoolType.PAGED;
                        long size = random.nextLong(1, 2048);
                        Driver d = random.nextBoolean() ? verified : plain;
                        MemorySegment s = d.allocate(type, size, TAGS[t]);
                        allocs[t][type.code()].incrementAndGet();
                        bytes[t][type.code()].addAndGet(size);
                        mine.add(s);
                    } else if (op < 8) {
                        free(mine.remove(random.nextInt(mine.size())), verified, frees, bytes);
                    } else if (op == 8) {
                        handOff.add(new MemorySegment[] {mine.remove(mine.size() - 1)});
                    } else {
                        MemorySegment[] other = handOff.poll();
                        if (other != null) {
                            free(other[0], plain, frees, bytes);
                        }
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        Set<Long> outstanding = new HashSet<>();
        kept.forEach(list -> list.forEach(s -> outstanding.add(s.address())));
        handOff.forEach(s -> outstanding.add(s[0].address()));

        PoolSnapshot snap = pool.snapshot();
        for (int t = 0; t < TAGS.length; t++) {
            TagUsage u = snap.tag(TAGS[t]);
            assertThat(new long[] {u.nonPagedAllocs(), u.nonPagedFrees(), u.nonPagedBytes()})
                    .containsExactly(allocs[t][0].get(), frees[t][0].get(), bytes[t][0].get());
            assertThat(new long[] {u.pagedAllocs(), u.pagedFrees(), u.pagedBytes()})
                    .containsExactly(allocs[t][1].get(), frees[t][1].get(), bytes[t][1].get());
        }
        Set<Long> recorded = new HashSet<>();
        long recordedBytes = 0;
        for (OutstandingAllocation o : pool.outstanding("verified")) {
            recorded.add(o.address());
            recordedBytes += o.length();
        }
        assertThat(outstanding).containsAll(recorded);
        DriverCounters dc = snap.driver("verified");
        assertThat(dc.currentAllocations()).isEqualTo(recorded.size());
        assertThat(dc.currentBytes()).isEqualTo(recordedBytes);
        assertThat(pool.violations()).isEmpty();

        long total = 0;
        for (TagUsage u : snap.tags()) {
            total += u.nonPagedOutstanding() + u.pagedOutstanding();
        }
        assertThat(total).isEqualTo(outstanding.size());
        for (List<MemorySegment> list : kept) {
            list.forEach(plain::free);
        }
        handOff.forEach(s -> plain.free(s[0]));
        assertThat(pool.snapshot().driver("verified").currentAllocations()).isZero();
    }

    private static void free(MemorySegment s, Driver via, AtomicLong[][] frees, AtomicLong[][] bytes) {
        // which tag and pool the block was charged to, read back from its pool header
        int t = tagIndex(s);
        int p = poolType(s);
        via.free(s);
        frees[t][p].incrementAndGet();
        bytes[t][p].addAndGet(-s.byteSize());
    }

    @SuppressWarnings("restricted")
    private static int tagIndex(MemorySegment s) {
        int value = MemorySegment.ofAddress(s.address() - 16)
                .reinterpret(16)
                .get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0);
        for (int i = 0; i < TAGS.length; i++) {
            if (TAGS[i].value() == value) {
                return i;
            }
        }
        throw new AssertionError("unknown tag in header");
    }

    @SuppressWarnings("restricted")
    private static int poolType(MemorySegment s) {
        return MemorySegment.ofAddress(s.address() - 16).reinterpret(16).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 6)
                & 1;
    }
}
