package dev.pooltrack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link Tracker} must have; one subclass per implementation. */
abstract class TrackerContractTest {

    abstract Tracker newTracker();

    private static long[] counters(Tracker t, int driver) {
        long[] c = new long[Tracker.DRIVER_COUNTERS];
        t.driverCounters(driver, c);
        return c;
    }

    @Test
    void track_thenUntrack_returnsPackedInfoAndClearsCounters() {
        Tracker t = newTracker();
        t.track(0x1000, 64, 0x6B61654C, 0, 3, 7, 11, 1_700_000_000_000L);
        assertThat(t.size()).isEqualTo(1);
        assertThat(counters(t, 3)[Tracker.CURRENT_NONPAGED_ALLOCS]).isEqualTo(1);
        assertThat(counters(t, 3)[Tracker.CURRENT_NONPAGED_BYTES]).isEqualTo(64);

        long info = t.untrack(0x1000);

        assertThat(Tracker.infoSize(info)).isEqualTo(64);
        assertThat(Tracker.infoDriver(info)).isEqualTo(3);
        assertThat(Tracker.infoPoolType(info)).isZero();
        assertThat(t.size()).isZero();
        assertThat(counters(t, 3)[Tracker.CURRENT_NONPAGED_ALLOCS]).isZero();
        assertThat(counters(t, 3)[Tracker.CURRENT_NONPAGED_BYTES]).isZero();
        assertThat(counters(t, 3)[Tracker.PEAK_NONPAGED_ALLOCS]).isEqualTo(1);
        assertThat(counters(t, 3)[Tracker.PEAK_NONPAGED_BYTES]).isEqualTo(64);
    }

    @Test
    void untrack_unknownAddress_returnsNotTrackedAndIsNotRecent() {
        Tracker t = newTracker();
        assertThat(t.untrack(0x2000)).isEqualTo(Tracker.NOT_TRACKED);
        assertThat(t.recentlyUntracked(0x2000)).isEqualTo(Tracker.NOT_TRACKED);
    }

    @Test
    void untrack_twice_secondIsNotTrackedAndRecent() {
        Tracker t = newTracker();
        t.track(0x3000, 16, 1, 1, 0, 0, 0, 0);
        t.untrack(0x3000);
        assertThat(t.untrack(0x3000)).isEqualTo(Tracker.NOT_TRACKED);
        assertThat(Tracker.infoSize(t.recentlyUntracked(0x3000))).isEqualTo(16);
    }

    @Test
    void forget_recentlyUntrackedAddress_isNoLongerRecentAndOthersStay() {
        Tracker t = newTracker();
        for (int i = 1; i <= 100; i++) {
            t.track(i * 16L, i, 1, 0, 0, 0, 0, 0);
            t.untrack(i * 16L);
        }
        t.forget(50 * 16L);
        assertThat(t.recentlyUntracked(50 * 16L)).isEqualTo(Tracker.NOT_TRACKED);
        for (int i = 1; i <= 100; i++) {
            if (i != 50) {
                assertThat(Tracker.infoSize(t.recentlyUntracked(i * 16L))).isEqualTo(i);
            }
        }
        t.track(50 * 16L, 7, 1, 0, 0, 0, 0, 0);
        assertThat(Tracker.infoSize(t.untrack(50 * 16L))).isEqualTo(7);
    }

    @Test
    void track_sameAddressAfterUntrack_isLiveAgainAndNotRecent() {
        Tracker t = newTracker();
        t.track(0x3000, 16, 1, 1, 0, 0, 0, 0);
        t.untrack(0x3000);
        t.track(0x3000, 32, 2, 0, 1, 0, 0, 0);
        assertThat(t.recentlyUntracked(0x3000)).isEqualTo(Tracker.NOT_TRACKED);
        assertThat(Tracker.infoSize(t.untrack(0x3000))).isEqualTo(32);
    }

    @Test
    void forEach_reportsEveryFieldOfEachRecord_filteredByDriver() {
        Tracker t = newTracker();
        long now = 1_750_000_000_123L;
        t.track(0x10, 100, 0x31676154, 0, 1, 5, 42, now);
        t.track(0x20, 200, 0x32676154, 1, 2, 6, 43, now + 10);
        List<String> seen = new ArrayList<>();
        t.forEach(
                2,
                (a, size, tag, type, driver, site, thread, time) ->
                        seen.add(a + "/" + size + "/" + Integer.toHexString(tag) + "/" + type + "/" + driver + "/"
                                + site + "/" + thread + "/" + time));
        assertThat(seen).containsExactly("32/200/32676154/1/2/6/43/" + (now + 10));
        List<Long> all = new ArrayList<>();
        t.forEach(-1, (a, size, tag, type, driver, site, thread, time) -> all.add(a));
        assertThat(all).containsExactlyInAnyOrder(0x10L, 0x20L);
    }

    @Test
    void counters_separatePoolsAndDrivers_andKeepPeaks() {
        Tracker t = newTracker();
        for (int i = 1; i <= 10; i++) {
            t.track(i * 16L, i, 1, i % 2, i % 3, 0, 0, 0);
        }
        for (int i = 1; i <= 5; i++) {
            t.untrack(i * 16L);
        }
        Map<Integer, long[]> expected = new HashMap<>();
        for (int i = 6; i <= 10; i++) {
            long[] e = expected.computeIfAbsent(i % 3, d -> new long[4]);
            e[(i % 2) * 2] += 1;
            e[(i % 2) * 2 + 1] += i;
        }
        for (int d = 0; d < 3; d++) {
            long[] c = counters(t, d);
            long[] e = expected.getOrDefault(d, new long[4]);
            assertThat(new long[] {
                        c[Tracker.CURRENT_NONPAGED_ALLOCS],
                        c[Tracker.CURRENT_NONPAGED_BYTES],
                        c[Tracker.CURRENT_PAGED_ALLOCS],
                        c[Tracker.CURRENT_PAGED_BYTES]
                    })
                    .as("driver %d", d)
                    .containsExactly(e);
        }
    }

    @Test
    void randomOperations_matchAModelMap() {
        Tracker t = newTracker();
        SplittableRandom random = new SplittableRandom(20261122);
        Map<Long, Long> model = new HashMap<>();
        long bytes = 0;
        long peakAllocs = 0;
        long peakBytes = 0;
        for (int i = 0; i < 200_000; i++) {
            long address = (random.nextInt(5_000) + 1) * 16L;
            if (model.containsKey(address)) {
                long info = t.untrack(address);
                assertThat(Tracker.infoSize(info)).isEqualTo(model.get(address));
                bytes -= model.remove(address);
            } else {
                long size = random.nextLong(1, 1 << 20);
                t.track(address, size, 1, 0, 0, 0, 0, 0);
                model.put(address, size);
                bytes += size;
                peakAllocs = Math.max(peakAllocs, model.size());
                peakBytes = Math.max(peakBytes, bytes);
            }
            if (i % 50_000 == 0) {
                assertThat(counters(t, 0)[Tracker.PEAK_NONPAGED_BYTES]).isEqualTo(peakBytes);
            }
        }
        assertThat(t.size()).isEqualTo(model.size());
        Map<Long, Long> seen = new HashMap<>();
        t.forEach(-1, (a, size, tag, type, driver, site, thread, time) -> seen.put(a, size));
        assertThat(seen).isEqualTo(model);
        long[] c = counters(t, 0);
        assertThat(c[Tracker.CURRENT_NONPAGED_ALLOCS]).isEqualTo(model.size());
        assertThat(c[Tracker.CURRENT_NONPAGED_BYTES])
                .isEqualTo(model.values().stream().mapToLong(Long::longValue).sum());
        assertThat(c[Tracker.PEAK_NONPAGED_ALLOCS]).isEqualTo(peakAllocs);
        assertThat(c[Tracker.PEAK_NONPAGED_BYTES]).isEqualTo(peakBytes);
    }

    @Test
    void concurrentRounds_allocationsMadeBeforeAnyFree_showAsTheExactPeak() throws Exception {
        Tracker t = newTracker();
        int threads = 4;
        int perRound = 2_000;
        int rounds = 5;
        CyclicBarrier barrier = new CyclicBarrier(threads);
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int w = 0; w < threads; w++) {
            int worker = w;
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    SplittableRandom random = new SplittableRandom(worker);
                    for (int round = 0; round < rounds; round++) {
                        // round r allocates 10 * r more than round r - 1, so each round sets a new peak
                        int count = perRound + 10 * round;
                        long[] addresses = new long[count];
                        for (int i = 0; i < count; i++) {
                            addresses[i] = ((long) worker << 40) + ((long) round << 32) + (i + 1) * 16L;
                            t.track(addresses[i], 3, 1, 1, 9, 0, worker, 0);
                        }
                        barrier.await();
                        for (int i = count - 1; i > 0; i--) {
                            int j = random.nextInt(i + 1);
                            long a = addresses[i];
                            addresses[i] = addresses[j];
                            addresses[j] = a;
                        }
                        for (long a : addresses) {
                            t.untrack(a);
                        }
                        barrier.await();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        assertThat(failures).isEmpty();
        long[] c = counters(t, 9);
        long lastRound = (long) threads * (perRound + 10 * (rounds - 1));
        assertThat(c[Tracker.CURRENT_PAGED_ALLOCS]).isZero();
        assertThat(c[Tracker.CURRENT_PAGED_BYTES]).isZero();
        assertThat(c[Tracker.PEAK_PAGED_ALLOCS]).isEqualTo(lastRound);
        assertThat(c[Tracker.PEAK_PAGED_BYTES]).isEqualTo(3 * lastRound);
        assertThat(c[Tracker.PEAK_NONPAGED_ALLOCS]).isZero();
    }

    @Test
    void concurrentAllocFreePairs_peakNeverExceedsWhatTheThreadsHeldAtOnce() throws Exception {
        Tracker t = newTracker();
        int threads = 4;
        List<Thread> workers = new ArrayList<>();
        List<String> wrongReads = new CopyOnWriteArrayList<>();
        for (int w = 0; w < threads; w++) {
            int worker = w;
            workers.add(Thread.ofPlatform().start(() -> {
                long[] mine = new long[Tracker.DRIVER_COUNTERS];
                for (int i = 0; i < 100_000; i++) {
                    // each thread holds at most two blocks, of 5 bytes each
                    long a = ((long) worker << 40) + ((i % 97) + 1) * 16L;
                    long b = a + 0x10_0000L;
                    t.track(a, 5, 1, 0, 2, 0, worker, 0);
                    t.track(b, 5, 1, 0, 2, 0, worker, 0);
                    t.untrack(a);
                    t.untrack(b);
                    if (i % 1_000 == 0) {
                        t.driverCounters(2, mine);
                        long current = mine[Tracker.CURRENT_NONPAGED_ALLOCS];
                        long peak = mine[Tracker.PEAK_NONPAGED_ALLOCS];
                        if (current < 0 || current > peak || peak > 2L * threads) {
                            wrongReads.add("current " + current + ", peak " + peak);
                        }
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        long[] c = counters(t, 2);
        assertThat(c[Tracker.CURRENT_NONPAGED_ALLOCS]).isZero();
        assertThat(c[Tracker.CURRENT_NONPAGED_BYTES]).isZero();
        assertThat(c[Tracker.PEAK_NONPAGED_ALLOCS]).isBetween(2L, 2L * threads);
        assertThat(c[Tracker.PEAK_NONPAGED_BYTES]).isBetween(10L, 10L * threads);
        assertThat(wrongReads).isEmpty();
    }

    @Test
    void concurrentTrackAndUntrack_loseNothing() throws Exception {
        Tracker t = newTracker();
        int threads = 4;
        int perThread = 50_000;
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int worker = w;
            workers.add(Thread.ofPlatform().start(() -> {
                SplittableRandom random = new SplittableRandom(worker);
                List<Long> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    if (!mine.isEmpty() && random.nextBoolean()) {
                        t.untrack(mine.remove(mine.size() - 1));
                    } else {
                        long address = ((long) worker << 40) + (i + 1) * 16L;
                        t.track(address, 8, 1, 0, worker, 0, worker, 0);
                        mine.add(address);
                    }
                }
                // leave exactly 100 per worker
                while (mine.size() > 100) {
                    t.untrack(mine.remove(mine.size() - 1));
                }
                while (mine.size() < 100) {
                    long address = ((long) worker << 40) + (perThread + mine.size() + 1) * 16L;
                    t.track(address, 8, 1, 0, worker, 0, worker, 0);
                    mine.add(address);
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        assertThat(t.size()).isEqualTo(threads * 100L);
        for (int w = 0; w < threads; w++) {
            assertThat(counters(t, w)[Tracker.CURRENT_NONPAGED_ALLOCS]).isEqualTo(100);
            assertThat(counters(t, w)[Tracker.CURRENT_NONPAGED_BYTES]).isEqualTo(800);
        }
    }

    @Test
    void producerAllocatesConsumerFrees_peakStaysWithinWhatWasHeldAndCurrentEndsAtZero() throws Exception {
        Tracker t = newTracker();
        int capacity = 64;
        int blocks = 100_000;
        BlockingQueue<Long> queue = new ArrayBlockingQueue<>(capacity);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Thread producer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < blocks; i++) {
                    long address = 0x10_0000L + (i % 1000 + 1) * 16L + ((long) (i / 1000) << 32);
                    t.track(address, 7, 1, 0, 4, 0, 1, 0);
                    queue.put(address);
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        });
        Thread consumer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < blocks; i++) {
                    t.untrack(queue.take());
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        });
        producer.join();
        consumer.join();
        assertThat(failures).isEmpty();
        long[] c = counters(t, 4);
        assertThat(c[Tracker.CURRENT_NONPAGED_ALLOCS]).isZero();
        assertThat(c[Tracker.CURRENT_NONPAGED_BYTES]).isZero();
        // at most the queue's blocks, one the producer has not put yet and one the consumer has not freed
        assertThat(c[Tracker.PEAK_NONPAGED_ALLOCS]).isBetween(1L, capacity + 2L);
        assertThat(c[Tracker.PEAK_NONPAGED_BYTES]).isEqualTo(7 * c[Tracker.PEAK_NONPAGED_ALLOCS]);
    }
}
