package dev.pooltrack.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ObservedTableTest {

    private static final int LEAK = 0x6B61654C;

    @Test
    void remove_afterInsert_handsBackSizeTagIndexPoolTypeAndDriver() {
        ObservedTable t = new ObservedTable();
        assertThat(t.insert(0x7f00_1000L, 4096, LEAK, 5, 1, 3)).isTrue();
        long[] r = new long[2];
        assertThat(t.remove(0x7f00_1000L, r)).isTrue();
        assertThat(ObservedTable.size(r)).isEqualTo(4096);
        assertThat(ObservedTable.tag(r)).isEqualTo(LEAK);
        assertThat(ObservedTable.tagIndex(r)).isEqualTo(5);
        assertThat(ObservedTable.poolType(r)).isEqualTo(1);
        assertThat(Tracker.infoDriver(r[0])).isEqualTo(3);
        assertThat(t.size()).isZero();
    }

    @Test
    void insert_addressRecordedAlready_returnsFalseAndKeepsTheFirstRecord() {
        ObservedTable t = new ObservedTable();
        t.insert(0x2000, 64, LEAK, 1, 0, 0);
        assertThat(t.insert(0x2000, 128, LEAK, 2, 1, 1)).isFalse();
        long[] r = new long[2];
        t.remove(0x2000, r);
        assertThat(ObservedTable.size(r)).isEqualTo(64);
        assertThat(ObservedTable.tagIndex(r)).isEqualTo(1);
        assertThat(t.remove(0x2000, r)).isFalse();
    }

    @Test
    void remove_unknownAddress_returnsFalseAndLeavesRecordUnchanged() {
        ObservedTable t = new ObservedTable();
        t.insert(0x3000, 64, LEAK, 1, 0, 0);
        long[] r = {11, 22};
        assertThat(t.remove(0x4000, r)).isFalse();
        assertThat(t.remove(0, r)).isFalse();
        assertThat(r).containsExactly(11, 22);
        assertThat(t.size()).isEqualTo(1);
    }

    @Test
    void insert_addressZero_isRejected() {
        assertThatThrownBy(() -> new ObservedTable().insert(0, 1, LEAK, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("address 0");
    }

    @Test
    void size_largestSizeATrackerInfoHolds_roundTrips() {
        ObservedTable t = new ObservedTable();
        long big = (1L << 48) - 1;
        t.insert(0x5000, big, LEAK, Integer.MAX_VALUE, 1, 0x7FFF);
        long[] r = new long[2];
        t.remove(0x5000, r);
        assertThat(ObservedTable.size(r)).isEqualTo(big);
        assertThat(ObservedTable.tagIndex(r)).isEqualTo(Integer.MAX_VALUE);
        assertThat(Tracker.infoDriver(r[0])).isEqualTo(0x7FFF);
    }

    /* Random inserts and removes against a HashMap: the table grows many times, and removals close
     * holes in long probe runs (addresses 16 bytes apart, as malloc hands them out). Through the
     * shared segments, and through a thread's Local (its newest records, removed from anywhere in
     * them, and those moved to its slots). */
    @ParameterizedTest
    @CsvSource({"1, false", "2, false", "3, false", "1, true", "2, true", "3, true"})
    void randomOperations_matchAMap(long seed, boolean locals) {
        SplittableRandom random = new SplittableRandom(seed);
        ObservedTable t = new ObservedTable();
        ObservedTable.Local l = locals ? t.local(new PoolCounters().cell()) : null;
        Map<Long, long[]> model = new HashMap<>();
        List<Long> live = new ArrayList<>();
        long[] r = new long[2];
        for (int op = 0; op < 200_000; op++) {
            if (live.isEmpty() || random.nextInt(100) < 55) {
                long address = 0x7f00_0000_0000L + 16L * random.nextInt(1 << 20);
                long size = 1 + random.nextInt(1 << 20);
                int tagIndex = random.nextInt(50);
                boolean fresh = !model.containsKey(address);
                assertThat(t.insert(l, address, size, LEAK + tagIndex, tagIndex, tagIndex & 1, tagIndex))
                        .isEqualTo(fresh);
                if (fresh) {
                    model.put(address, new long[] {size, tagIndex});
                    live.add(address);
                }
            } else {
                int pick = random.nextInt(live.size());
                long address = live.get(pick);
                live.set(pick, live.get(live.size() - 1));
                live.remove(live.size() - 1);
                long[] expected = model.remove(address);
                assertThat(t.remove(l, address, r)).isTrue();
                assertThat(ObservedTable.size(r)).isEqualTo(expected[0]);
                assertThat(ObservedTable.tagIndex(r)).isEqualTo((int) expected[1]);
                assertThat(ObservedTable.tag(r)).isEqualTo(LEAK + (int) expected[1]);
                assertThat(t.remove(l, address, r)).isFalse();
            }
        }
        assertThat(t.size()).isEqualTo(model.size());
        for (Map.Entry<Long, long[]> e : model.entrySet()) {
            assertThat(t.remove(l, e.getKey(), r)).isTrue();
            assertThat(ObservedTable.size(r)).isEqualTo(e.getValue()[0]);
        }
        assertThat(t.size()).isZero();
    }

    @Test
    void footprint_oneMillionRecords_atMost64BytesEach() {
        ObservedTable t = new ObservedTable();
        long base = 0x7f00_0000_0000L;
        for (int i = 0; i < 1_000_000; i++) {
            t.insert(base + i * 48L, 64, LEAK, 0, 0, 0);
        }
        assertThat(t.size()).isEqualTo(1_000_000);
        assertThat((double) t.footprintBytes() / t.size()).isLessThanOrEqualTo(64.0);
    }

    /* Four threads insert blocks; each hands every other block to the next thread, which removes it,
     * and removes the rest itself: every removal finds its record, sizes add up exactly, and the
     * table ends empty. With Locals, the hand-offs are frees of another live thread's blocks
     * (sequence-locked reads racing the owner's writes, pending frees), and those left when the
     * workers ended are found after their records moved to the shared segments. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void concurrentInsertAndRemove_freesFromOtherThreads_totalsExact(boolean locals) throws Exception {
        int threads = 4;
        int perThread = 200_000;
        ObservedTable t = new ObservedTable();
        PoolCounters counters = new PoolCounters();
        List<Queue<Long>> handoff = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            handoff.add(new ConcurrentLinkedQueue<>());
        }
        AtomicLong inserted = new AtomicLong();
        AtomicLong removed = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int n = 0; n < threads; n++) {
            int me = n;
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    ObservedTable.Local l = locals ? t.local(counters.cell()) : null;
                    long[] r = new long[2];
                    Queue<Long> mine = handoff.get(me);
                    Queue<Long> next = handoff.get((me + 1) % threads);
                    long in = 0;
                    long out = 0;
                    for (int i = 1; i <= perThread; i++) {
                        long address = ((long) (me + 1) << 40) + 16L * i;
                        long size = i;
                        if (!t.insert(l, address, size, LEAK, me, 0, me)) {
                            throw new AssertionError("insert of a fresh address failed: " + address);
                        }
                        in += size;
                        if ((i & 1) == 0) {
                            next.add(address);
                        } else if (!t.remove(l, address, r)) {
                            throw new AssertionError("own block not found: " + address);
                        } else {
                            out += ObservedTable.size(r);
                        }
                        if ((i & 63) == 0) {
                            out += drain(t, l, mine, r);
                        }
                    }
                    inserted.addAndGet(in);
                    removed.addAndGet(out);
                    // the last hand-offs are drained after every worker finished
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertThat(failure.get()).isNull();
        long[] r = new long[2];
        for (Queue<Long> q : handoff) {
            removed.addAndGet(drain(t, null, q, r));
        }
        assertThat(removed.get()).isEqualTo(inserted.get());
        assertThat(t.size()).isZero();
    }

    // ---------------------------------------------------------------- thread-owned records (Locals)

    @Test
    void local_insertAndRemoveByTheOwner_recordsRoundTripAndDuplicatesAreRefused() {
        ObservedTable t = new ObservedTable();
        ObservedTable.Local local = t.local(new PoolCounters().cell());
        assertThat(local).isNotNull();
        assertThat(t.insert(local, 0x7f00_1000L, 4096, LEAK, 5, 1, 3)).isTrue();
        assertThat(t.insert(local, 0x7f00_1000L, 8, LEAK, 6, 0, 0)).isFalse();
        assertThat(t.size()).isEqualTo(1);
        assertThat(local.recentCount).as("recorded in the thread's own part").isEqualTo(1);
        long[] r = new long[2];
        assertThat(t.remove(local, 0x7f00_1000L, r)).isTrue();
        assertThat(ObservedTable.size(r)).isEqualTo(4096);
        assertThat(ObservedTable.tagIndex(r)).isEqualTo(5);
        assertThat(ObservedTable.poolType(r)).isEqualTo(1);
        assertThat(Tracker.infoDriver(r[0])).isEqualTo(3);
        assertThat(t.remove(local, 0x7f00_1000L, r)).isFalse();
        assertThat(t.size()).isZero();
        // six blocks: the four newest in the stack, two moved to the slots; a removal from each
        for (int i = 1; i <= 6; i++) {
            t.insert(local, 0x1000L * i, i, LEAK, i, 0, 0);
        }
        assertThat(local.recentCount).isEqualTo(4);
        assertThat(local.live).isEqualTo(2);
        assertThat(t.remove(local, 0x1000L, r)).isTrue(); // in the slots
        assertThat(ObservedTable.size(r)).isEqualTo(1);
        assertThat(t.remove(local, 0x4000L, r)).isTrue(); // in the stack, below its top
        assertThat(ObservedTable.size(r)).isEqualTo(4);
        assertThat(local.recentCount).isEqualTo(3);
        assertThat(local.live).isEqualTo(1);
        assertThat(t.size()).isEqualTo(4);
    }

    @Test
    void local_virtualThreadsShareTheSegments() throws Exception {
        ObservedTable t = new ObservedTable();
        PoolCounters counters = new PoolCounters();
        AtomicReference<ObservedTable.Local> seen = new AtomicReference<>(new ObservedTable.Local(null));
        Thread.ofVirtual().start(() -> seen.set(t.local(counters.cell()))).join();
        assertThat(seen.get()).isNull();
    }

    /* The owner stays alive (an executor's thread) while the test thread frees its blocks: the free
     * is counted at once, the owner drops the record at its next operation, and a second free of the
     * same address, racing the first, finds nothing. */
    @Test
    void local_freedByAnotherThreadWhileTheOwnerLives_countedOnceAndDroppedByTheOwner() throws Exception {
        ObservedTable t = new ObservedTable();
        PoolCounters counters = new PoolCounters();
        ExecutorService owner = Executors.newSingleThreadExecutor();
        try {
            ObservedTable.Local owners = owner.submit(() -> {
                        ObservedTable.Local l = t.local(counters.cell());
                        for (int i = 1; i <= 100; i++) {
                            t.insert(l, 0x1000L * i, i, LEAK, i, 0, 0);
                        }
                        return l;
                    })
                    .get();
            assertThat(owners.live + owners.recentCount).isEqualTo(100);
            ObservedTable.Local mine = t.local(counters.cell());
            long[] r = new long[2];
            for (int i = 1; i <= 100; i += 2) {
                assertThat(t.remove(mine, 0x1000L * i, r)).isTrue();
                assertThat(ObservedTable.size(r)).isEqualTo(i);
                assertThat(ObservedTable.tagIndex(r)).isEqualTo(i);
                assertThat(t.remove(mine, 0x1000L * i, r)).isFalse();
                assertThat(t.remove(0x1000L * i, r)).isFalse();
            }
            assertThat(t.size()).isEqualTo(50);
            assertThat(owners.pendingCount)
                    .as("queued for the owner, which has not run since")
                    .isEqualTo(50);
            assertThat(owners.live + owners.recentCount).isEqualTo(100);
            // the owner is handed one of the freed addresses again, then frees what it still has
            long total = owner.submit(() -> {
                        ObservedTable.Local l = t.local(counters.cell());
                        long[] own = new long[2];
                        assertThat(t.insert(l, 0x1000L, 777, LEAK, 1, 0, 0)).isTrue();
                        long bytes = 0;
                        for (int i = 2; i <= 100; i += 2) {
                            assertThat(t.remove(l, 0x1000L * i, own)).isTrue();
                            bytes += ObservedTable.size(own);
                        }
                        assertThat(t.remove(l, 0x1000L, own)).isTrue();
                        assertThat(ObservedTable.size(own)).isEqualTo(777);
                        return bytes;
                    })
                    .get();
            assertThat(total).isEqualTo(50L * 51);
            assertThat(t.size()).isZero();
            assertThat(owners.pendingCount).isZero();
            assertThat(owners.live + owners.recentCount).isZero();
        } finally {
            owner.shutdownNow();
        }
    }

    /* A thread that ended left records behind: they move to the shared segments, where any thread
     * finds them. */
    @Test
    void local_ownerEnded_recordsMoveToTheSegments() throws Exception {
        ObservedTable t = new ObservedTable();
        PoolCounters counters = new PoolCounters();
        AtomicReference<ObservedTable.Local> owners = new AtomicReference<>();
        Thread owner = Thread.ofPlatform().start(() -> {
            ObservedTable.Local l = t.local(counters.cell());
            for (int i = 1; i <= 1000; i++) {
                t.insert(l, 0x10L * i, i, LEAK, 0, 0, 0);
            }
            owners.set(l);
        });
        owner.join();
        assertThat(owners.get().live + owners.get().recentCount).isEqualTo(1000);
        assertThat(t.size()).isEqualTo(1000);
        assertThat(owners.get().retired)
                .as("size() moved the ended thread's records")
                .isTrue();
        assertThat(owners.get().live + owners.get().recentCount).isZero();
        long[] r = new long[2];
        long bytes = 0;
        for (int i = 1; i <= 1000; i++) {
            assertThat(t.remove(0x10L * i, r)).isTrue();
            bytes += ObservedTable.size(r);
        }
        assertThat(bytes).isEqualTo(1000L * 1001 / 2);
        assertThat(t.size()).isZero();
    }

    private static long drain(ObservedTable t, ObservedTable.Local l, Queue<Long> q, long[] r) {
        long bytes = 0;
        for (Long a = q.poll(); a != null; a = q.poll()) {
            if (!t.remove(l, a, r)) {
                throw new AssertionError("handed-off block not found: " + a);
            }
            bytes += ObservedTable.size(r);
        }
        return bytes;
    }
}
