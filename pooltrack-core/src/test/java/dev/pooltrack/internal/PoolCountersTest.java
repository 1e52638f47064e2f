package dev.pooltrack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

class PoolCountersTest {

    @Test
    void cell_moreLiveThreadsThanCachedEntries_eachThreadCountsInItsOwnCellAndTotalsAreExact() throws Exception {
        PoolCounters counters = new PoolCounters();
        int threads = 300; // more than the 256 cached entries: live threads share entries and evict each other
        int perThread = 2_000;
        CyclicBarrier start = new CyclicBarrier(threads);
        CyclicBarrier counted = new CyclicBarrier(threads);
        List<String> wrong = new CopyOnWriteArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    PoolCounters.Cell first = counters.cell();
                    for (int i = 0; i < perThread; i++) {
                        PoolCounters.Cell c = counters.cell();
                        if (c != first || c.owner != Thread.currentThread()) {
                            wrong.add("thread " + Thread.currentThread().threadId() + " got another cell");
                            return;
                        }
                        counters.onAllocate(c, 1, 0, 64);
                        counters.onFree(counters.cell(), 1, 0, 16);
                    }
                    counted.await(); // every thread still alive while the others count
                } catch (Exception e) {
                    wrong.add(e.toString());
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }

        assertThat(wrong).isEmpty();
        long[] sums = counters.sum(PoolCounters.slotsFor(2));
        int slot = PoolCounters.tagSlot(1, 0);
        assertThat(sums[slot + PoolCounters.ALLOCS]).isEqualTo((long) threads * perThread);
        assertThat(sums[slot + PoolCounters.FREES]).isEqualTo((long) threads * perThread);
        assertThat(sums[slot + PoolCounters.BYTES]).isEqualTo((long) threads * perThread * 48);
    }

    @Test
    void cell_threadsThatEndedAreFoldedOnce_andANewThreadWithTheSameEntryGetsItsOwnCell() throws Exception {
        PoolCounters counters = new PoolCounters();
        for (int round = 0; round < 600; round++) { // thread ids wrap the 256 entries twice over
            Thread t = Thread.ofPlatform().start(() -> counters.onAllocate(counters.cell(), 0, 1, 10));
            t.join();
            if (round % 100 == 0) {
                counters.sum(PoolCounters.slotsFor(1)); // folds the ended threads' cells
            }
        }
        long[] sums = counters.sum(PoolCounters.slotsFor(1));
        int slot = PoolCounters.tagSlot(0, 1);
        assertThat(sums[slot + PoolCounters.ALLOCS]).isEqualTo(600);
        assertThat(sums[slot + PoolCounters.BYTES]).isEqualTo(6_000);
    }

    @Test
    void cell_virtualThreads_shareTheAtomicCellAndTotalsAreExact() throws Exception {
        PoolCounters counters = new PoolCounters();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 50; w++) {
            workers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 1_000; i++) {
                    PoolCounters.Cell c = counters.cell();
                    assertThat(c.owner).isNull();
                    counters.onAllocate(c, 0, 0, 1);
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        assertThat(counters.sum(PoolCounters.slotsFor(1))[PoolCounters.tagSlot(0, 0) + PoolCounters.ALLOCS])
                .isEqualTo(50_000);
    }
}
