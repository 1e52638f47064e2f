package dev.pooltrack.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.CallSite;
import org.junit.jupiter.api.Test;

/* Beside CallSites for its package-private sweep count; the sites found are JUnit's frames, since a
 * class in this package is PoolTrack's own and both captures skip it. */
class CallSitesSweepTest {

    private static final long CHECKED = 0x4000; // address bits 4..13 clear: counts as 1024 captures

    @Test
    void captureLazily_afterEnoughCaptures_resolvesEveryKeptStackToItsSite() {
        CallSites sites = new CallSites(1024);
        for (int i = 1; i <= 7; i++) {
            sites.captureLazily(i * CHECKED + 16);
        }
        assertThat(sites.stacksUnresolved()).isEqualTo(7);
        CallSite expected = sites.site(CallSites.PENDING, 7 * CHECKED + 16);

        sites.captureLazily(8 * CHECKED);

        assertThat(sites.stacksUnresolved()).isZero();
        assertThat(sites.pendingCount()).isEqualTo(8);
        assertThat(expected).isNotEqualTo(CallSite.UNKNOWN);
        assertThat(sites.site(CallSites.PENDING, CHECKED + 16)).isSameAs(expected);
        assertThat(sites.site(CallSites.PENDING, 8 * CHECKED)).isSameAs(expected);
    }

    @Test
    void captureLazily_fewerCapturesThanTheSweepCount_keepsTheStacks() {
        CallSites sites = new CallSites(3 * 1024);
        sites.captureLazily(CHECKED);
        sites.captureLazily(2 * CHECKED);
        for (int i = 3; i <= 6; i++) {
            sites.captureLazily(i * CHECKED + 32);
        }
        assertThat(sites.stacksUnresolved()).isEqualTo(6);

        sites.forget(CHECKED);
        sites.captureLazily(7 * CHECKED);

        assertThat(sites.stacksUnresolved())
                .as("the third counted capture sweeps")
                .isZero();
        assertThat(sites.pendingCount()).isEqualTo(6);
    }
}
