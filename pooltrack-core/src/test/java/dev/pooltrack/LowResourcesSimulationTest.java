package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Low Resources Simulation, flags 0x4 (randomized) and 0x40000 (systematic). */
class LowResourcesSimulationTest {

    static final Tag LEAK = Tag.of("Leak");
    static final Tag OTHR = Tag.of("Othr");

    static PoolTrack pool(int flags, LowResourcesSimulation faults, String... drivers) {
        return PoolTrack.create(VerifierSettings.poolTracking(drivers)
                .withFlags(flags)
                .withLowResources(faults)
                .withResponse(Response.THROW));
    }

    static LowResourcesSimulation now(int probability) {
        return LowResourcesSimulation.defaults()
                .withProbability(probability)
                .withDelayMinutes(0)
                .withSeed(42);
    }

    /** Allocates and frees {@code n} blocks; returns how many came back NULL. */
    static int failures(Driver d, Tag tag, int n) {
        int failed = 0;
        for (int i = 0; i < n; i++) {
            MemorySegment s = d.allocate(PoolType.NON_PAGED, 32, tag);
            if (s.equals(MemorySegment.NULL)) {
                failed++;
            } else {
                d.free(s, tag);
            }
        }
        return failed;
    }

    @ParameterizedTest(name = "probability {0} in 10000")
    @ValueSource(ints = {600, 100, 5000})
    void randomized_fixedSeed_failureRateWithinBinomialBound(int probability) {
        PoolTrack pool = pool(0xC, now(probability), "a");
        Driver a = pool.load("a");
        int n = 20_000;
        int failed = failures(a, LEAK, n);

        // five standard deviations of Binomial(n, p) either side of n*p: a correct injector fails
        // this with probability below 1e-6, whatever the seed
        double p = probability / 10_000.0;
        double mean = n * p;
        double bound = 5 * Math.sqrt(n * p * (1 - p));
        assertThat((double) failed).isBetween(mean - bound, mean + bound);
        GlobalCounters g = pool.snapshot().global();
        assertThat(g.allocationsFailedDeliberately()).isEqualTo(failed);
        assertThat(g.allocationsSucceeded()).isEqualTo(n - failed);
        assertThat(g.allocationsAttempted()).isEqualTo(n);
        assertThat(pool.snapshot().tag(LEAK).nonPagedAllocs()).isEqualTo(n - failed);
    }

    @Test
    void randomized_sameSeed_failsTheSameAllocations() {
        List<List<Integer>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            Driver a = pool(0xC, now(600), "a").load("a");
            List<Integer> failed = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                MemorySegment s = a.allocate(PoolType.NON_PAGED, 16, LEAK);
                if (s.equals(MemorySegment.NULL)) {
                    failed.add(i);
                } else {
                    a.free(s);
                }
            }
            runs.add(failed);
        }
        assertThat(runs.get(0)).isNotEmpty().isEqualTo(runs.get(1));
    }

    @Test
    void randomized_tagFilterWithWildcard_failsOnlyMatchingTags() {
        PoolTrack pool = pool(0xC, now(10_000).withTags(LowResourcesSimulation.parseTags("Le*  Fr?d")), "a");
        Driver a = pool.load("a");
        assertThat(failures(a, LEAK, 100)).isEqualTo(100);
        assertThat(failures(a, Tag.of("Fred"), 100)).isEqualTo(100);
        assertThat(failures(a, OTHR, 100)).isZero();
        assertThat(pool.snapshot().global().allocationsFailedDeliberately()).isEqualTo(200);
    }

    @Test
    void randomized_withinDelayAfterLoad_failsNothing() {
        PoolTrack pool = pool(0xC, now(10_000).withDelayMinutes(1), "a");
        Driver a = pool.load("a");
        assertThat(failures(a, LEAK, 500)).isZero();
        assertThat(pool.snapshot().global().allocationsFailedDeliberately()).isZero();
    }

    @Test
    void randomized_applications_failOnlyInTheNamedTenant() {
        PoolTrack pool = pool(0xC, now(10_000).withApplications(List.of("acme")), "a");
        Driver a = pool.load("a");
        assertThat(failures(a, LEAK, 50)).isZero();
        assertThat(Tenant.of("other", 1 << 20).call(() -> failures(a, LEAK, 50)))
                .isZero();
        assertThat(Tenant.of("ACME", 1 << 20).call(() -> failures(a, LEAK, 50))).isEqualTo(50);
    }

    @Test
    void randomized_driverNotVerified_neverFails() {
        PoolTrack pool = pool(0xC, now(10_000), "a");
        Driver b = pool.load("b");
        assertThat(failures(b, LEAK, 100)).isZero();
    }

    @Test
    void randomized_flagOff_neverFails() {
        PoolTrack pool = pool(0x8, now(10_000), "a");
        assertThat(failures(pool.load("a"), LEAK, 100)).isZero();
    }

    private static MemorySegment siteOne(Driver d) {
        return d.allocate(PoolType.NON_PAGED, 64, LEAK);
    }

    private static MemorySegment siteTwo(Driver d) {
        return d.allocate(PoolType.PAGED, 64, LEAK);
    }

    private static MemorySegment siteThree(Driver d) {
        return d.allocate(PoolType.NON_PAGED, 128, OTHR);
    }

    /** Calls each of the three sites {@code rounds} times; returns the (round, site) pairs that failed. */
    private static List<String> runSites(Driver d, int rounds) {
        List<String> failed = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            MemorySegment[] got = {siteOne(d), siteTwo(d), siteThree(d)};
            for (int site = 0; site < got.length; site++) {
                if (got[site].equals(MemorySegment.NULL)) {
                    failed.add(round + ":" + (site + 1));
                } else {
                    d.free(got[site]);
                }
            }
        }
        return failed;
    }

    @Test
    void systematic_failsEachNewCallStackExactlyOnce_andRemembersItAcrossReloads() {
        PoolTrack pool =
                pool(VerifierFlags.POOL_TRACKING | VerifierFlags.SYSTEMATIC_LOW_RESOURCES_SIMULATION, now(1), "a");
        List<List<String>> loads = new ArrayList<>();
        for (int load = 0; load < 2; load++) {
            Driver a = pool.load("a");
            loads.add(runSites(a, 5)); // the same stacks in both loads
            a.unload();
        }
        assertThat(loads.get(0)).containsExactly("0:1", "0:2", "0:3");
        assertThat(loads.get(1)).isEmpty();
        assertThat(pool.snapshot().global().allocationsFailedDeliberately()).isEqualTo(3);
    }

    @Test
    void systematic_newPool_failsTheSameSitesAgain() {
        for (int run = 0; run < 2; run++) {
            Driver a = pool(
                            VerifierFlags.POOL_TRACKING | VerifierFlags.SYSTEMATIC_LOW_RESOURCES_SIMULATION,
                            now(1),
                            "a")
                    .load("a");
            assertThat(runSites(a, 2)).containsExactly("0:1", "0:2", "0:3");
        }
    }

    @Test
    void randomized_mdlLock_failsOnPurpose_nothingLocked_unlessATagFilterIsGiven() {
        PoolTrack pool = pool(0xC, now(10_000), "a");
        Driver a = pool.load("a");
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            Mdl mdl = Mdl.allocate(a, arena.allocate(4096, 4096));
            assertThatThrownBy(mdl::lockPages)
                    .isInstanceOfSatisfying(
                            PageLockException.class, e -> assertThat(e.errno()).isZero())
                    .hasMessageContaining("failed on purpose: Low Resources Simulation (0x4) is on for the driver");
            assertThat(mdl.isLocked()).isFalse();
            assertThat(pool.snapshot().driver("a").lockedPages()).isZero();
            assertThat(pool.snapshot().global().allocationsFailedDeliberately()).isEqualTo(1);

            Driver b = pool(0xC, now(10_000).withTags(LowResourcesSimulation.parseTags("Leak")), "b")
                    .load("b");
            Mdl untagged = Mdl.allocate(b, arena.allocate(4096, 4096));
            untagged.lockPages(); // an MDL has no tag: a tag filter leaves it alone
            untagged.unlockPages();
        }
    }

    @Test
    void flags_lowResourcesBitsAreImplemented() {
        assertThat(VerifierFlags.requireImplemented(0x4000C)).isEqualTo(0x4000C);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "10001", "-5", "six", "0xZZ"})
    void parseProbability_outOfRangeOrNotANumber_namesTheText(String text) {
        assertThatThrownBy(() -> LowResourcesSimulation.parseProbability(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad fault injection probability '" + text
                        + "': give the chances in 10,000 that an allocation fails, from 1 to 10000 (default 600,"
                        + " that is 6%)");
    }

    @Test
    void parse_windowsForms() {
        assertThat(LowResourcesSimulation.parseProbability("")).isEqualTo(600);
        assertThat(LowResourcesSimulation.parseProbability("0x3E8")).isEqualTo(1000);
        assertThat(LowResourcesSimulation.parseDelayMinutes("0xa")).isEqualTo(10);
        assertThat(LowResourcesSimulation.parseDelayMinutes("")).isEqualTo(7);
        assertThat(LowResourcesSimulation.parseApplications("a b")).containsExactly("a", "b");
        assertThat(LowResourcesSimulation.parseTags("")).isEmpty();
    }

    @Test
    void parseTags_badPattern_namesIt() {
        assertThatThrownBy(() -> LowResourcesSimulation.parseTags("Tag1 Leaky"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad fault injection pool tag: ")
                .hasMessageContaining("Leaky");
    }

    @Test
    void parseDelay_negative_namesTheText() {
        assertThatThrownBy(() -> LowResourcesSimulation.parseDelayMinutes("-1"))
                .hasMessageStartingWith("bad fault injection delay '-1'");
    }

    @Test
    void settingsFile_faultKeys_roundTrip() {
        VerifierSettings s = VerifierSettings.poolTracking("a")
                .withFlags(0xC)
                .withLowResources(new LowResourcesSimulation(
                        1000, LowResourcesSimulation.parseTags("Tag1 Fr*"), List.of("t1", "t2"), 2, 99));
        String text = SettingsFile.format(s);
        assertThat(text)
                .contains(
                        "faultProbability=1000\n",
                        "faultTags=Tag1 Fr*\n",
                        "faultApplications=t1 t2\n",
                        "faultDelayMinutes=2\n",
                        "faultSeed=99\n");
        assertThat(SettingsFile.parse("f", text.lines().toList())).isEqualTo(s);
        assertThat(SettingsFile.format(VerifierSettings.poolTracking("a"))).doesNotContain("fault");
    }

    @Test
    void settingsFile_badProbability_namesFileAndLine() {
        assertThatThrownBy(() -> SettingsFile.parse("verifier.conf", List.of("flags=0x4", "faultProbability=20000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("verifier.conf:2: bad fault injection probability '20000'");
    }
}
