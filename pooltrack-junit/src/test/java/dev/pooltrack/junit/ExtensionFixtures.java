package dev.pooltrack.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Test classes that use the extension, run by {@link PoolTrackExtensionTest} through JUnit's engine
 * test kit and never by the build itself (Surefire skips nested classes). Each records the line of
 * the allocation it leaks, so that the test can check the call site in the listing.
 */
final class ExtensionFixtures {

    static final Tag LEAK = Tag.of("Leak");
    static final Tag CACHE = Tag.of("Cach");

    /** Where each fixture allocated what it leaks: "Class#method" → source line. */
    static final Map<String, Integer> LINES = new ConcurrentHashMap<>();

    /** The line after the caller's. */
    static int nextLine() {
        return StackWalker.getInstance()
                        .walk(s -> s.skip(1).findFirst().orElseThrow().getLineNumber())
                + 1;
    }

    private ExtensionFixtures() {}

    @Fixture
    @PoolTracked
    static class Leaking {
        @Test
        void leaks(Driver driver) {
            LINES.put("Leaking#leaks", nextLine());
            driver.allocate(PoolType.NON_PAGED, 4096, LEAK);
        }
    }

    @Fixture
    @PoolTracked
    static class Clean {
        @Test
        void freesWhatItAllocates(Driver driver) {
            MemorySegment block = driver.allocate(PoolType.NON_PAGED, 4096, LEAK);
            driver.free(block, LEAK);
        }

        @Test
        void allocatesNothing() {}
    }

    @Fixture
    @PoolTracked(ignoreTags = {"Cach", "Tmp?"})
    static class IgnoredTags {
        @Test
        void leaksOnlyUnderIgnoredTags(Driver driver) {
            driver.allocate(PoolType.NON_PAGED, 64, CACHE);
            driver.allocate(PoolType.PAGED, 32, Tag.of("Tmp1"));
        }

        @Test
        void leaksUnderIgnoredAndCountedTags(Driver driver) {
            driver.allocate(PoolType.NON_PAGED, 64, CACHE);
            LINES.put("IgnoredTags#leaksUnderIgnoredAndCountedTags", nextLine());
            driver.allocate(PoolType.NON_PAGED, 200, LEAK);
        }
    }

    /** Two tests that each leak while the other is running: parallel mode must keep them apart. */
    @Fixture
    @PoolTracked
    static class Parallel {
        static volatile CyclicBarrier bothAllocated;
        static final Map<String, String> THREADS = new ConcurrentHashMap<>();

        @Test
        void first(Driver driver) throws Exception {
            LINES.put("Parallel#first", nextLine());
            driver.allocate(PoolType.NON_PAGED, 0x111, Tag.of("One"));
            THREADS.put("first", Thread.currentThread().getName());
            bothAllocated.await(10, TimeUnit.SECONDS);
        }

        @Test
        void second(Driver driver) throws Exception {
            LINES.put("Parallel#second", nextLine());
            driver.allocate(PoolType.NON_PAGED, 0x222, Tag.of("Two"));
            THREADS.put("second", Thread.currentThread().getName());
            bothAllocated.await(10, TimeUnit.SECONDS);
        }
    }

    /** One driver for the class: a block may pass from one test to the next. */
    @Fixture
    @PoolTracked(scope = PoolTracked.Scope.CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class ClassScoped {
        static MemorySegment handedOver;
        static String beforeAllDriver;

        @BeforeAll
        static void names(Driver driver) {
            beforeAllDriver = driver.name();
        }

        @Test
        @Order(1)
        void allocates(Driver driver) {
            handedOver = driver.allocate(PoolType.NON_PAGED, 512, LEAK);
        }

        @Test
        @Order(2)
        void frees(Driver driver) {
            driver.free(handedOver, LEAK);
        }
    }

    @Fixture
    @PoolTracked(scope = PoolTracked.Scope.CLASS)
    static class ClassScopedLeak {
        @Test
        void allocates(Driver driver) {
            LINES.put("ClassScopedLeak#allocates", nextLine());
            driver.allocate(PoolType.PAGED, 1000, LEAK);
        }

        @Test
        void allocatesNothing() {}
    }

    @Fixture
    @PoolTracked(flags = 0xA)
    static class UnimplementedFlags {
        @Test
        void neverRuns() {}
    }

    @Fixture
    static class BadMethodOptions {
        @Test
        @PoolTracked(flags = 0)
        void noPoolTracking() {}

        @Test
        @PoolTracked(ignoreTags = "Leaky")
        void badPattern() {}

        @Test
        @PoolTracked(scope = PoolTracked.Scope.CLASS)
        void classScopeOnAMethod() {}

        @Test
        void notTracked() {}
    }

    /** Only the annotated method is tracked; the class is not. */
    @Fixture
    static class MethodOnly {
        @Test
        @PoolTracked
        void tracked(Driver driver) {
            driver.allocate(PoolType.NON_PAGED, 48, LEAK);
        }

        @Test
        void untracked() {}
    }

    @Fixture
    @PoolTracked
    static class Parameterized {
        @ParameterizedTest
        @ValueSource(ints = {16, 32, 48})
        void sizes(int size, Driver driver) {
            MemorySegment block = driver.allocate(PoolType.NON_PAGED, size, LEAK);
            assertThat(driver.name()).isEqualTo("ExtensionFixtures$Parameterized#sizes[" + (size / 16) + "]");
            if (size != 32) {
                driver.free(block, LEAK);
            }
        }
    }

    @Fixture
    @PoolTracked
    static class FailsAndLeaks {
        @Test
        void failsFirst(Driver driver) {
            driver.allocate(PoolType.NON_PAGED, 96, LEAK);
            throw new IllegalStateException("the test's own failure");
        }
    }

    @Fixture
    @PoolTracked
    static class FreesTwice {
        @Test
        void freesTwice(Driver driver) {
            MemorySegment block = driver.allocate(PoolType.NON_PAGED, 96, LEAK);
            driver.free(block, LEAK);
            driver.free(block, LEAK);
        }
    }

    /** The driver in each place a test's code runs, and what the lifecycle methods can resolve. */
    @Fixture
    @PoolTracked
    static class Lifecycle {
        static final Map<String, String> CURRENT = new ConcurrentHashMap<>();
        static MemorySegment fromBeforeEach;

        @BeforeEach
        void setUp(Driver driver, PoolTrack pool) {
            assertThat(pool.driver(driver.name())).isSameAs(driver);
            CURRENT.put("beforeEach", current());
            fromBeforeEach = driver.allocate(PoolType.NON_PAGED, 64, LEAK);
        }

        @Test
        void test(Driver driver) {
            CURRENT.put("test", current());
            CURRENT.put("injected", driver.name());
        }

        @AfterEach
        void tearDown(Driver driver) {
            CURRENT.put("afterEach", current());
            driver.free(fromBeforeEach, LEAK);
        }

        private static String current() {
            return PoolTrack.currentDriver().map(Driver::name).orElse("none");
        }
    }

    @Fixture
    @PoolTracked
    static class DriverInBeforeAll {
        @BeforeAll
        static void setUp(Driver driver) {}

        @Test
        void test() {}
    }

    @Fixture
    @PoolTracked
    static class Outer {
        @Nested
        class Inner {
            @Test
            void leaks(Driver driver) {
                driver.allocate(PoolType.NON_PAGED, 80, LEAK);
            }
        }
    }

    /** JDK allocations seen by the agent (played here by {@link FakeAgent}) count for the test. */
    @Fixture
    @PoolTracked
    static class AgentAllocations {
        static volatile CyclicBarrier bothAllocated;

        @Test
        void leaksADirectBuffer() throws Exception {
            LINES.put("AgentAllocations#leaksADirectBuffer", nextLine());
            FakeAgent.allocateDirect(0x300);
            bothAllocated.await(10, TimeUnit.SECONDS);
        }

        @Test
        void freesOneDirectBufferLeaksAnother() throws Exception {
            FakeAgent.free(FakeAgent.allocateDirect(0x400));
            LINES.put("AgentAllocations#freesOneDirectBufferLeaksAnother", nextLine());
            FakeAgent.allocateDirect(0x500);
            bothAllocated.await(10, TimeUnit.SECONDS);
        }
    }
}
