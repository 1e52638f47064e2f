package dev.pooltrack.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.PoolTrack;
import dev.pooltrack.Tag;
import dev.pooltrack.TagUsage;
import dev.pooltrack.VerifierSettings;
import dev.pooltrack.agent.boot.Hooks;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The hooks' counters-only (lean) path and the thread state it reads, run in this JVM without
 * instrumentation: the hooks are called as the advice would call them, with made-up addresses (the
 * engine never touches memory it only observes).
 */
class AgentRuntimeTest {

    private static final Tag JDBB = Tag.of("Jdbb");
    private static final Tag JFFM = Tag.of("Jffm");
    private static final Tag JUSF = Tag.of("Jusf");
    private static final Tag JDWN = Tag.of("Jdwn");

    private final PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking(new String[0]));
    private final AgentRuntime runtime = new AgentRuntime(pool, AgentOptions.parse("quiet"), false);

    @Test
    void countersOnly_everyPath_countsExactBytesUnderItsTag_andFreesGiveThemBack() {
        Object s = runtime.enterPath(Hooks.PATH_DIRECT_BUFFER, 4000);
        runtime.allocated(0x10_0000, 4096); // Unsafe rounds up; the buffer's capacity is what counts
        runtime.exitPath(s);
        s = runtime.enterPath(Hooks.PATH_SEGMENT, 1000);
        runtime.allocated(0x20_0000, 1008);
        runtime.exitPath(s);
        runtime.allocated(0x30_0000, 77);
        runtime.downcallAllocated(0x40_0000, 64);
        runtime.downcallAllocated(0x50_0000, 32);

        assertThat(pool.snapshot().tag(JDBB)).isEqualTo(new TagUsage(JDBB, 1, 0, 4000, 0, 0, 0));
        assertThat(pool.snapshot().tag(JFFM)).isEqualTo(new TagUsage(JFFM, 1, 0, 1000, 0, 0, 0));
        assertThat(pool.snapshot().tag(JUSF)).isEqualTo(new TagUsage(JUSF, 1, 0, 77, 0, 0, 0));
        assertThat(pool.snapshot().tag(JDWN)).isEqualTo(new TagUsage(JDWN, 2, 0, 96, 0, 0, 0));

        runtime.freed(0x10_0000);
        runtime.freed(0x20_0000);
        runtime.freed(0x30_0000);
        runtime.downcallFreed(0x40_0000);
        runtime.freed(0x50_0000); // a C free of malloc'ed memory may come through any path

        assertThat(pool.snapshot().tag(JDBB)).isEqualTo(new TagUsage(JDBB, 1, 1, 0, 0, 0, 0));
        assertThat(pool.snapshot().tag(JFFM)).isEqualTo(new TagUsage(JFFM, 1, 1, 0, 0, 0, 0));
        assertThat(pool.snapshot().tag(JUSF)).isEqualTo(new TagUsage(JUSF, 1, 1, 0, 0, 0, 0));
        assertThat(pool.snapshot().tag(JDWN)).isEqualTo(new TagUsage(JDWN, 2, 2, 0, 0, 0, 0));
        assertThat(runtime.internalErrors()).isZero();
    }

    @Test
    void countersOnly_freeOfAnAddressNeverSeen_changesNothing() {
        runtime.downcallAllocated(0x40_0000, 64);

        runtime.freed(0x99_0000);
        runtime.downcallFreed(0x98_0000);
        runtime.downcallFreed(0x40_0000);
        runtime.downcallFreed(0x40_0000); // freed twice: the second is not seen as allocated

        assertThat(pool.snapshot().tag(JDWN)).isEqualTo(new TagUsage(JDWN, 1, 1, 0, 0, 0, 0));
        assertThat(runtime.internalErrors()).isZero();
    }

    @Test
    void allocatedCountersOnly_freedAfterADriverIsVerified_isCountedFreedExactly() {
        runtime.allocated(0x30_0000, 77);
        runtime.downcallAllocated(0x40_0000, 64);

        pool.addDriver("app.jar"); // the agent leaves the lean path

        runtime.freed(0x30_0000);
        runtime.downcallFreed(0x40_0000);
        assertThat(pool.snapshot().tag(JUSF)).isEqualTo(new TagUsage(JUSF, 1, 1, 0, 0, 0, 0));
        assertThat(pool.snapshot().tag(JDWN)).isEqualTo(new TagUsage(JDWN, 1, 1, 0, 0, 0, 0));
        assertThat(runtime.internalErrors()).isZero();
    }

    @Test
    void threadState_twoThreadsWhoseIdsShareTheTableSlot_eachKeepsItsOwnPath() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch otherDone = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread first = new Thread(() -> {
            try {
                Object s = runtime.enterPath(Hooks.PATH_DIRECT_BUFFER, 4000);
                entered.countDown();
                otherDone.await();
                runtime.allocated(0x10_0000, 4096);
                runtime.exitPath(s);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Thread second = threadWithIdInSameSlotAs(first, () -> {
            Object s = runtime.enterPath(Hooks.PATH_SEGMENT, 1000);
            runtime.allocated(0x20_0000, 1008);
            runtime.exitPath(s);
            otherDone.countDown();
        });

        first.start();
        entered.await();
        second.start();
        second.join();
        first.join();

        assertThat(failure.get()).isNull();
        assertThat(pool.snapshot().tag(JDBB)).isEqualTo(new TagUsage(JDBB, 1, 0, 4000, 0, 0, 0));
        assertThat(pool.snapshot().tag(JFFM)).isEqualTo(new TagUsage(JFFM, 1, 0, 1000, 0, 0, 0));
    }

    @Test
    void threadState_virtualThreads_eachKeepsItsOwnPath() throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            long address = 0x100_0000L + i * 0x1000L;
            threads.add(Thread.ofVirtual().start(() -> {
                Object s = runtime.enterPath(Hooks.PATH_DIRECT_BUFFER, 100);
                Thread.yield();
                runtime.allocated(address, 104);
                runtime.exitPath(s);
                runtime.allocated(address + 0x800, 8); // no path: Unsafe's own
            }));
        }
        for (Thread t : threads) {
            t.join();
        }

        assertThat(pool.snapshot().tag(JDBB)).isEqualTo(new TagUsage(JDBB, 100, 0, 100 * 100, 0, 0, 0));
        assertThat(pool.snapshot().tag(JUSF)).isEqualTo(new TagUsage(JUSF, 100, 0, 100 * 8, 0, 0, 0));
    }

    /** An unstarted thread running {@code task} whose id has the low eight bits of {@code other}'s. */
    private static Thread threadWithIdInSameSlotAs(Thread other, Runnable task) {
        while (true) {
            Thread t = new Thread(task);
            if ((t.threadId() & 0xFF) == (other.threadId() & 0xFF)) {
                return t;
            }
        }
    }
}
