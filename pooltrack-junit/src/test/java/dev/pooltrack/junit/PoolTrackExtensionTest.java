package dev.pooltrack.junit;

import static dev.pooltrack.junit.ExtensionFixtures.LINES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.pooltrack.DriverVerifierError;
import dev.pooltrack.PoolTrack;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.opentest4j.AssertionFailedError;

/**
 * The extension as a user meets it: the fixture classes in {@link ExtensionFixtures} run through
 * JUnit's engine, and their results and failure messages checked.
 */
class PoolTrackExtensionTest {

    private static final String[] PARALLEL = {
        "junit.jupiter.execution.parallel.enabled", "true",
        "junit.jupiter.execution.parallel.mode.default", "concurrent",
        "junit.jupiter.execution.parallel.config.strategy", "fixed",
        "junit.jupiter.execution.parallel.config.fixed.parallelism", "2"
    };

    @Test
    void leakingTest_fails_withTheBugCheckAndTheListingOfItsAllocationAndCallSite() {
        EngineExecutionResults results = run(ExtensionFixtures.Leaking.class);

        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        Throwable failure = failure(results, "leaks");
        assertThat(failure).isInstanceOf(AssertionFailedError.class);
        String message = failure.getMessage();
        assertThat(message)
                .startsWith(
                        "ExtensionFixtures$Leaking#leaks did not free 1 allocation (4096 bytes):"
                                + " DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4) 0xc4_62 in driver ExtensionFixtures$Leaking#leaks\n")
                .contains("DRIVER_VERIFIER_DETECTED_VIOLATION (c4)")
                .contains("Arg1: 0000000000000062,")
                .contains("Arg2: ExtensionFixtures$Leaking#leaks, name of the driver having the issue.")
                .contains("Arg4: 0000000000000001, total # of (paged+nonpaged) allocations that weren't freed.")
                .contains("Type !verifier 3 ExtensionFixtures$Leaking#leaks for info")
                .contains("\nDRIVER: ExtensionFixtures$Leaking#leaks\n")
                .contains("LEAKED_ALLOCATIONS:")
                .containsPattern("\n      0x[0-9a-f]{16}  0x00001000  Leak  ExtensionFixtures\\$Leaking!leaks  "
                        + "dev\\.pooltrack\\.junit\\.ExtensionFixtures\\$Leaking\\.leaks\\(ExtensionFixtures\\.java:"
                        + LINES.get("Leaking#leaks") + "\\)\n")
                .containsPattern(
                        "\n           1   0x00001000  Leak  dev\\.pooltrack\\.junit\\.ExtensionFixtures\\$Leaking"
                                + "\\.leaks\\(ExtensionFixtures\\.java:" + LINES.get("Leaking#leaks") + "\\)\n")
                .contains("TOTAL 1 allocation, 0x00001000 bytes");
    }

    @Test
    void cleanTests_pass() {
        run(ExtensionFixtures.Clean.class)
                .testEvents()
                .assertStatistics(s -> s.started(2).succeeded(2));
    }

    @Test
    void leakOnlyUnderIgnoredTags_passes() {
        EngineExecutionResults results = run(ExtensionFixtures.IgnoredTags.class);

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        assertThat(results.testEvents().succeeded().list())
                .extracting(e -> e.getTestDescriptor().getDisplayName())
                .containsExactly("leaksOnlyUnderIgnoredTags(Driver)");
    }

    @Test
    void leakUnderIgnoredAndCountedTags_failsForTheCountedOnly_andSaysWhatWasLeftOut() {
        String message = failure(run(ExtensionFixtures.IgnoredTags.class), "leaksUnderIgnoredAndCountedTags")
                .getMessage();

        assertThat(message)
                .startsWith("ExtensionFixtures$IgnoredTags#leaksUnderIgnoredAndCountedTags did not free 1 allocation"
                        + " (200 bytes): ")
                .contains("\nNot counted: 1 allocation (64 bytes) under the ignored tags Cach, Tmp?\n")
                .contains("Arg4: 0000000000000001,")
                .contains("IgnoredTags.leaksUnderIgnoredAndCountedTags(ExtensionFixtures.java:"
                        + LINES.get("IgnoredTags#leaksUnderIgnoredAndCountedTags") + ")")
                .contains("TOTAL 1 allocation, 0x000000C8 bytes")
                .doesNotContain("Cach  ");
    }

    @Test
    void parallelTests_eachFailWithOnlyTheirOwnAllocations() {
        ExtensionFixtures.Parallel.bothAllocated = new CyclicBarrier(2);
        EngineExecutionResults results = run(ExtensionFixtures.Parallel.class, PARALLEL);

        results.testEvents().assertStatistics(s -> s.started(2).failed(2));
        assertThat(ExtensionFixtures.Parallel.THREADS.get("first"))
                .isNotEqualTo(ExtensionFixtures.Parallel.THREADS.get("second"));
        String first = failure(results, "first").getMessage();
        String second = failure(results, "second").getMessage();
        assertThat(first)
                .startsWith("ExtensionFixtures$Parallel#first did not free 1 allocation (273 bytes)")
                .contains("Parallel.first(ExtensionFixtures.java:" + LINES.get("Parallel#first") + ")")
                .contains("TOTAL 1 allocation, 0x00000111 bytes")
                .doesNotContain("Two")
                .doesNotContain("Parallel.second(");
        assertThat(second)
                .startsWith("ExtensionFixtures$Parallel#second did not free 1 allocation (546 bytes)")
                .contains("Parallel.second(ExtensionFixtures.java:" + LINES.get("Parallel#second") + ")")
                .contains("TOTAL 1 allocation, 0x00000222 bytes")
                .doesNotContain("One ")
                .doesNotContain("Parallel.first(");
    }

    @Test
    void classScope_oneDriverForTheClass_aBlockMayPassFromOneTestToTheNext() {
        run(ExtensionFixtures.ClassScoped.class)
                .allEvents()
                .assertStatistics(s -> s.failed(0).succeeded(4)); // the engine, the class and its two tests
        assertThat(ExtensionFixtures.ClassScoped.beforeAllDriver).isEqualTo("ExtensionFixtures$ClassScoped");
    }

    @Test
    void classScope_leakAtTheEndOfTheClass_failsTheClassWithTheListing() {
        EngineExecutionResults results = run(ExtensionFixtures.ClassScopedLeak.class);

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        List<Event> failed = results.containerEvents().failed().list();
        assertThat(failed).hasSize(1);
        assertThat(throwable(failed.getFirst()))
                .isInstanceOf(AssertionFailedError.class)
                .message()
                .startsWith("ExtensionFixtures$ClassScopedLeak did not free 1 allocation (1000 bytes)")
                .contains("ClassScopedLeak.allocates(ExtensionFixtures.java:" + LINES.get("ClassScopedLeak#allocates")
                        + ")");
    }

    @Test
    void flagsPoolTrackDoesNotImplement_failTheClassBeforeAnyTestRuns_namingTheBit() {
        EngineExecutionResults results = run(ExtensionFixtures.UnimplementedFlags.class);

        results.testEvents().assertStatistics(s -> s.started(0));
        assertThat(throwable(results.containerEvents().failed().list().getFirst()))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage(
                        "@PoolTracked on dev.pooltrack.junit.ExtensionFixtures$UnimplementedFlags: flags 0xA refused:"
                                + " 0x2 (Force IRQL checking) has no counterpart on the JVM. Implemented: 0x4000D (Special pool, Randomized low resources simulation, Pool tracking, Systematic low resources simulation)");
    }

    @Test
    void badOptionsOnAMethod_failThatTest_withWhatIsWrong() {
        EngineExecutionResults results = run(ExtensionFixtures.BadMethodOptions.class);

        results.testEvents().assertStatistics(s -> s.started(4).succeeded(1).failed(3));
        assertThat(failure(results, "noPoolTracking"))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@PoolTracked on dev.pooltrack.junit.ExtensionFixtures$BadMethodOptions#noPoolTracking:"
                        + " flags 0x0 leave out 0x8 (Pool tracking): without it no allocation is recorded and no leak"
                        + " can be found");
        assertThat(failure(results, "badPattern"))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@PoolTracked on dev.pooltrack.junit.ExtensionFixtures$BadMethodOptions#badPattern:"
                        + " ignoreTags: bad tag pattern 'Leaky': 5 characters besides '*', at most 4");
        assertThat(failure(results, "classScopeOnAMethod"))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("scope = CLASS spans a whole class; put it on the class");
    }

    @Test
    void annotationOnAMethod_tracksThatTestOnly() {
        EngineExecutionResults results = run(ExtensionFixtures.MethodOnly.class);

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        assertThat(failure(results, "tracked").getMessage())
                .startsWith("ExtensionFixtures$MethodOnly#tracked did not free 1 allocation (48 bytes)");
    }

    @Test
    void parameterizedTest_eachInvocationIsADriverOfItsOwn() {
        EngineExecutionResults results = run(ExtensionFixtures.Parameterized.class);

        results.testEvents().assertStatistics(s -> s.started(3).succeeded(2).failed(1));
        assertThat(failure(results, "[2]").getMessage())
                .startsWith("ExtensionFixtures$Parameterized#sizes[2] did not free 1 allocation (32 bytes)")
                .contains("TOTAL 1 allocation, 0x00000020 bytes");
    }

    @Test
    void testThatFailsAndLeaks_keepsItsOwnFailure_withTheLeakSuppressed() {
        Throwable failure = failure(run(ExtensionFixtures.FailsAndLeaks.class), "failsFirst");

        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("the test's own failure");
        assertThat(failure.getSuppressed())
                .singleElement()
                .isInstanceOf(AssertionFailedError.class)
                .extracting(Throwable::getMessage)
                .asString()
                .startsWith("ExtensionFixtures$FailsAndLeaks#failsFirst did not free 1 allocation (96 bytes)");
    }

    @Test
    void doubleFree_failsTheTestAtTheSecondFree() {
        Throwable failure = failure(run(ExtensionFixtures.FreesTwice.class), "freesTwice");

        assertThat(failure).isInstanceOf(DriverVerifierError.class);
        assertThat(((DriverVerifierError) failure).violation().bucket()).isEqualTo("0xc4_13");
        assertThat(failure.getStackTrace())
                .anySatisfy(f -> assertThat(f.getMethodName()).isEqualTo("freesTwice"));
    }

    @Test
    void driver_isInjectedInTestAndEachMethods_andIsTheCurrentDriverWhileTheyRun() {
        run(ExtensionFixtures.Lifecycle.class).testEvents().assertStatistics(s -> s.succeeded(1));

        assertThat(ExtensionFixtures.Lifecycle.CURRENT)
                .containsEntry("beforeEach", "ExtensionFixtures$Lifecycle#test")
                .containsEntry("test", "ExtensionFixtures$Lifecycle#test")
                .containsEntry("injected", "ExtensionFixtures$Lifecycle#test")
                .containsEntry("afterEach", "ExtensionFixtures$Lifecycle#test");
        assertThat(PoolTrack.currentDriver()).isEmpty();
    }

    @Test
    void driverParameter_whereNoDriverIsLoaded_isRefusedWithTheWayOut() {
        EngineExecutionResults results = run(ExtensionFixtures.DriverInBeforeAll.class);

        assertThat(throwable(results.containerEvents().failed().list().getFirst()))
                .isInstanceOf(ParameterResolutionException.class)
                .hasMessageContaining("No PoolTrack driver is loaded for static void dev.pooltrack.junit"
                        + ".ExtensionFixtures$DriverInBeforeAll.setUp(dev.pooltrack.Driver)")
                .hasMessageContaining("use @PoolTracked(scope = CLASS) on the class");
    }

    @Test
    void nestedClass_inheritsTheAnnotation_andNamesItsDriversAfterItself() {
        assertThat(failure(run(ExtensionFixtures.Outer.class), "leaks").getMessage())
                .startsWith("ExtensionFixtures$Outer$Inner#leaks did not free 1 allocation (80 bytes)");
    }

    @Test
    void sameClassRunTwiceInOnePool_secondRunSeesOnlyItsOwnLeaks() {
        String firstRun = failure(run(ExtensionFixtures.Leaking.class, TestPool.POOL_PARAMETER, "system"), "leaks")
                .getMessage();
        String secondRun = failure(run(ExtensionFixtures.Leaking.class, TestPool.POOL_PARAMETER, "system"), "leaks")
                .getMessage();

        assertThat(firstRun).contains("TOTAL 1 allocation, 0x00001000 bytes");
        assertThat(secondRun)
                .startsWith("ExtensionFixtures$Leaking#leaks (")
                .contains("TOTAL 1 allocation, 0x00001000 bytes");
    }

    /* The agent-backed mode: the agent feeds the system pool and charges an allocation to the thread's
     * current driver; here FakeAgent plays the agent's part. Two tests run at once, each allocating
     * direct buffers on its own thread: each is failed for its own buffer only, and the verified-driver
     * list of the system pool is back as it was. */
    @Test
    void agentMode_directBuffersOfParallelTests_areChargedEachToItsTest() {
        ExtensionFixtures.AgentAllocations.bothAllocated = new CyclicBarrier(2);
        FakeAgent.allocateDirect(16); // outside any test: charged to the jar
        var verifiedBefore = PoolTrack.system().settings().drivers();

        EngineExecutionResults results =
                run(ExtensionFixtures.AgentAllocations.class, concat(PARALLEL, TestPool.POOL_PARAMETER, "system"));

        results.testEvents().assertStatistics(s -> s.started(2).failed(2));
        assertThat(failure(results, "leaksADirectBuffer").getMessage())
                .startsWith(
                        "ExtensionFixtures$AgentAllocations#leaksADirectBuffer did not free 1 allocation (768 bytes)")
                .containsPattern("  0x00000300  Jdbb  ExtensionFixtures\\$AgentAllocations!leaksADirectBuffer  .*"
                        + "\\(ExtensionFixtures\\.java:" + LINES.get("AgentAllocations#leaksADirectBuffer") + "\\)")
                .doesNotContain("0x00000500")
                .doesNotContain("0x00000010");
        assertThat(failure(results, "freesOneDirectBufferLeaksAnother").getMessage())
                .startsWith("ExtensionFixtures$AgentAllocations#freesOneDirectBufferLeaksAnother did not free 1"
                        + " allocation (1280 bytes)")
                .contains("(ExtensionFixtures.java:" + LINES.get("AgentAllocations#freesOneDirectBufferLeaksAnother")
                        + ")")
                .doesNotContain("0x00000300")
                .doesNotContain("0x00000400");
        assertThat(PoolTrack.system().settings().drivers()).isEqualTo(verifiedBefore);
    }

    @Test
    void poolChoice_autoIsTheSystemPoolOnlyWhenTheAgentFeedsIt() {
        assertThat(TestPool.useSystemPool(java.util.Optional.empty(), true)).isTrue();
        assertThat(TestPool.useSystemPool(java.util.Optional.empty(), false)).isFalse();
        assertThat(TestPool.useSystemPool(java.util.Optional.of(" Auto"), false))
                .isFalse();
        assertThat(TestPool.useSystemPool(java.util.Optional.of("class"), true)).isFalse();
        assertThat(TestPool.useSystemPool(java.util.Optional.of("system"), false))
                .isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> TestPool.useSystemPool(java.util.Optional.of("jvm"), false))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("configuration parameter pooltrack.junit.pool = 'jvm': write auto (the system pool when"
                        + " PoolTrack's agent is attached, else a pool per test class), class or system");
    }

    // ---------------------------------------------------------------- running the fixtures

    /** Runs a fixture class in the class pool, unless {@code config} (name, value, ...) says otherwise. */
    static EngineExecutionResults run(Class<?> fixture, String... config) {
        var kit = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(fixture))
                .configurationParameter(Fixture.PARAMETER, "true")
                .configurationParameter(TestPool.POOL_PARAMETER, "class");
        for (int i = 0; i < config.length; i += 2) {
            kit.configurationParameter(config[i], config[i + 1]);
        }
        return kit.execute();
    }

    /** The failure of the one failed test whose display name contains {@code name}. */
    static Throwable failure(EngineExecutionResults results, String name) {
        List<Event> failed = results.testEvents()
                .failed()
                .filter(e -> e.getTestDescriptor().getDisplayName().contains(name))
                .toList();
        assertThat(failed).as("failed tests named like '%s'", name).hasSize(1);
        return throwable(failed.getFirst());
    }

    static Throwable throwable(Event event) {
        return event.getRequiredPayload(TestExecutionResult.class)
                .getThrowable()
                .orElseThrow();
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
