package dev.pooltrack.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.Response;
import dev.pooltrack.VerifierSettings;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SessionPluginTest {

    @ParameterizedTest
    @CsvSource({"1, 1", "1, 5", "3, 2", "3, 3", "3, 10", "64, 1000"})
    void open_moreThanCapacity_keepsTheLastCapacitySessionsOutstanding(int capacity, int opened) {
        PoolTrack pool = PoolTrack.create(
                VerifierSettings.poolTracking(SessionPlugin.NAME).withResponse(Response.THROW));
        SessionPlugin sessions = SessionPlugin.load(pool, capacity);
        for (int client = 1; client <= opened; client++) {
            sessions.open(client);
        }

        int open = Math.min(capacity, opened);
        assertThat(sessions.openSessions()).isEqualTo(open);
        assertThat(sessions.sessionsOpened()).isEqualTo(opened);
        List<OutstandingAllocation> outstanding = pool.outstanding(SessionPlugin.NAME);
        assertThat(outstanding).hasSize(open).allSatisfy(a -> {
            assertThat(a.tag()).isEqualTo(SessionPlugin.SESS);
            assertThat(a.length()).isEqualTo(SessionPlugin.SESSION_BYTES);
            assertThat(a.callSite().toString())
                    .isEqualTo("dev.pooltrack.examples.SessionPlugin.open(SessionPlugin.java)");
        });
        assertThat(pool.snapshot().tag(SessionPlugin.SESS).nonPagedOutstanding())
                .isEqualTo(open);

        sessions.close(); // THROW: a leak at unload would fail the test here
        assertThat(pool.outstanding(SessionPlugin.NAME)).isEmpty();
        assertThat(pool.violations()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"0", "-1"})
    void load_capacityBelowOne_isRefused(int capacity) {
        PoolTrack pool = PoolTrack.create(VerifierSettings.none());
        assertThatThrownBy(() -> SessionPlugin.load(pool, capacity))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad session capacity " + capacity + ": it must be at least 1");
    }
}
