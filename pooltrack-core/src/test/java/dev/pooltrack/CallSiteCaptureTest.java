package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.internal.CallSites;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/* In dev.pooltrack, not beside CallSites: a class in dev.pooltrack.internal is PoolTrack's own and
 * both captures would skip it. */
class CallSiteCaptureTest {

    private static final long ADDRESS = 0x7f00_0000_1000L;

    @Test
    void captureLazily_resolvesToTheSiteTheWalkFinds_withoutBytecodeIndex() {
        CallSites sites = new CallSites();
        CallSite[] walked = new CallSite[1];
        int id = bothOnOneLine(sites, walked);

        CallSite lazy = sites.site(id, ADDRESS);

        assertThat(id).isEqualTo(CallSites.PENDING);
        assertThat(walked[0].methodName()).isEqualTo("bothOnOneLine");
        assertThat(walked[0].bytecodeIndex()).isGreaterThanOrEqualTo(0);
        assertThat(lazy)
                .isEqualTo(new CallSite(
                        walked[0].className(), walked[0].methodName(), walked[0].fileName(), walked[0].line(), -1));
    }

    /* Both captures on one line, so that class, method, file and line must agree. */
    private static int bothOnOneLine(CallSites sites, CallSite[] walked) {
        return keep(walked, CallSites.callerOutsidePoolTrack()) + sites.captureLazily(ADDRESS);
    }

    private static int keep(CallSite[] into, CallSite site) {
        into[0] = site;
        return 0;
    }

    @Test
    void site_readTwice_isResolvedOnceAndKeptInTheStacksPlace() {
        CallSites sites = new CallSites();
        int id = sites.captureLazily(ADDRESS);

        CallSite first = sites.site(id, ADDRESS);

        assertThat(sites.site(id, ADDRESS)).isSameAs(first);
        assertThat(first.methodName()).isEqualTo("site_readTwice_isResolvedOnceAndKeptInTheStacksPlace");
        assertThat(first.toString()).startsWith(CallSiteCaptureTest.class.getName() + ".site_readTwice_");
    }

    @Test
    void forget_dropsTheStack_andTheSiteReadsUnknown() {
        CallSites sites = new CallSites();
        int id = sites.captureLazily(ADDRESS);
        sites.captureLazily(ADDRESS + 16);

        sites.forget(ADDRESS);

        assertThat(sites.pendingCount()).isEqualTo(1);
        assertThat(sites.site(id, ADDRESS)).isEqualTo(CallSite.UNKNOWN);
        assertThat(sites.site(id, ADDRESS + 16).methodName()).isEqualTo("forget_dropsTheStack_andTheSiteReadsUnknown");
    }

    @Test
    void site_registeredId_ignoresTheAddress() {
        CallSites sites = new CallSites();
        CallSite site = new CallSite("com.example.Plugin", "read", "Plugin.java", 42, 7);
        int id = sites.idOf(site);
        sites.captureLazily(ADDRESS);

        assertThat(sites.site(id, ADDRESS)).isEqualTo(site);
    }

    @Test
    void captureLazily_calledThroughReflection_skipsTheReflectionFramesAsTheWalkDoes() throws Exception {
        CallSites sites = new CallSites();
        Method capture = CallSites.class.getMethod("captureLazily", long.class);
        Method walk = CallSites.class.getMethod("callerOutsidePoolTrack");

        int id = (int) capture.invoke(sites, ADDRESS);
        CallSite walked = (CallSite) walk.invoke(null);

        CallSite lazy = sites.site(id, ADDRESS);
        assertThat(lazy.className()).isEqualTo(walked.className()).isEqualTo(CallSiteCaptureTest.class.getName());
        assertThat(lazy.methodName()).isEqualTo(walked.methodName());
    }
}
