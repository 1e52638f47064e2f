package dev.pooltrack.junit;

import dev.pooltrack.BugCheck;
import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.Response;
import dev.pooltrack.VerifierSettings;
import dev.pooltrack.Violation;
import dev.pooltrack.spi.AllocationObserver;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * A pool that tests run in as drivers: the pool, the driver names given out in it, and the leaks its
 * drivers' unloads raised, kept for the extension to report.
 *
 * <p>Thread-safe: tests running in parallel load and unload their drivers in one pool at once.
 */
final class TestPool {

    /* Which pool. A pool of its own for each test class, by default: settings exactly as the
     * annotation says (flags, call sites) and the THROW response, so that a test that frees twice
     * or with the wrong tag fails at that call; nothing in the JVM's own pool or settings changes; and
     * the pool, with the records of whatever its tests leaked, is dropped with the class (a pool holds
     * at most 32767 drivers, and a large suite runs more tests than that in one JVM).
     *
     * The system pool, PoolTrack.system(), when PoolTrack's agent feeds it (or when the
     * configuration parameter asks for it): the agent charges the JDK allocations it sees to drivers
     * of that pool only, so a test must be one of its drivers for a plain ByteBuffer.allocateDirect in
     * it to count. The extension then verifies each test's driver with `/volatile /adddriver` (turning
     * on the flags if they are off) and removes it from the list after the unload; the pool's own
     * response and call-site setting stay as the JVM was started with them, and the 0x62 the unload
     * raises goes through that response too (a WARNING in the log under LOG).
     *
     * Parallel tests never share a driver, in either pool: each test's allocations are recorded
     * under its own driver, and only those are listed at its unload. */

    /** The configuration parameter choosing the pool: {@code auto} (the default), {@code class} or {@code system}. */
    static final String POOL_PARAMETER = "pooltrack.junit.pool";

    private static final Object SYSTEM_LOCK = new Object();
    private static TestPool system;

    final PoolTrack pool;
    private final boolean shared;
    private final Set<String> names = ConcurrentHashMap.newKeySet();
    private final Map<String, Violation> leaks = new ConcurrentHashMap<>();

    private TestPool(PoolTrack pool, boolean shared) {
        this.pool = pool;
        this.shared = shared;
        pool.onViolation(v -> {
            if (isLeakAtUnload(v) && v.driver() != null && names.contains(v.driver())) {
                leaks.put(v.driver(), v);
            }
        });
    }

    /** A new pool for the tests of one class, verifying every driver with the options' flags. */
    static TestPool forClass(TrackingOptions options) {
        return new TestPool(
                PoolTrack.create(VerifierSettings.none()
                        .withFlags(options.flags())
                        .withAllDrivers(true)
                        .withCallSites(options.callSites())
                        .withResponse(Response.THROW)),
                false);
    }

    /** The JVM's pool, {@link PoolTrack#system()}, shared by every test class. */
    static TestPool system() {
        synchronized (SYSTEM_LOCK) {
            if (system == null) {
                system = new TestPool(PoolTrack.system(), true);
            }
            return system;
        }
    }

    /**
     * Whether tests run in the system pool.
     *
     * @param parameter the value of {@value #POOL_PARAMETER}, if set
     * @param agentFeedsSystemPool whether PoolTrack's agent reports to the system pool
     * @throws ExtensionConfigurationException for a value other than {@code auto}, {@code class} and
     *     {@code system}
     */
    static boolean useSystemPool(Optional<String> parameter, boolean agentFeedsSystemPool) {
        String value = parameter.map(p -> p.strip().toLowerCase(Locale.ROOT)).orElse("auto");
        return switch (value) {
            case "auto" -> agentFeedsSystemPool;
            case "class" -> false;
            case "system" -> true;
            default ->
                throw new ExtensionConfigurationException("configuration parameter " + POOL_PARAMETER + " = '"
                        + parameter.orElseThrow()
                        + "': write auto (the system pool when PoolTrack's agent is attached, else a pool per test"
                        + " class), class or system");
        };
    }

    /** Whether {@link #useSystemPool} says so for this JVM. */
    static boolean useSystemPool(Optional<String> parameter) {
        return useSystemPool(parameter, AllocationObserver.systemPoolObserved());
    }

    /**
     * Loads a driver for a test, verified with Pool Tracking. The name is {@code name}, or {@code
     * name (2)}, {@code name (3)}... if the pool has had a test of that name already (a test run
     * twice in one JVM must not find the first run's leaks).
     */
    TestDriver load(String name, TrackingOptions options) {
        String unique = name;
        for (int n = 2; !names.add(unique); n++) {
            unique = name + " (" + n + ")";
        }
        boolean added = shared && verify(unique, options);
        return new TestDriver(this, pool.load(unique), options, added);
    }

    /** Adds the driver to the system pool's verified list unless the settings verify it already. */
    private boolean verify(String name, TrackingOptions options) {
        synchronized (SYSTEM_LOCK) {
            VerifierSettings s = pool.settings();
            if ((s.flags() & options.flags()) != options.flags()) {
                pool.applyVolatile(s.withFlags(s.flags() | options.flags()));
            }
            if (pool.settings().tracks(name)) {
                return false;
            }
            pool.addDriver(name);
            return true;
        }
    }

    /** Takes the verified-driver list back to what it was before {@link #load} added the driver. */
    void forget(Driver driver, boolean addedToSettings) {
        if (addedToSettings) {
            synchronized (SYSTEM_LOCK) {
                pool.removeDriver(driver.name());
            }
        }
    }

    /** The 0xC4/0x62 raised when the named driver unloaded, taken out of the pool's keeping; or null. */
    Violation takeLeak(String driverName) {
        return leaks.remove(driverName);
    }

    static boolean isLeakAtUnload(Violation v) {
        return v.code() == BugCheck.DRIVER_VERIFIER_DETECTED_VIOLATION
                && v.subcode() == BugCheck.UNLOAD_WITH_OUTSTANDING_ALLOCATIONS;
    }
}
