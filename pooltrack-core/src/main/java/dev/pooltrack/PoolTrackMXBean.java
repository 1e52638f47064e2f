package dev.pooltrack;

/**
 * The management interface of a pool, registered as {@code dev.pooltrack:type=PoolTrack}: the
 * global verifier counters and settings as attributes (JConsole and VisualVM show them), and the
 * operations the {@code pooltrack} command uses against a running JVM.
 *
 * <p>The JSON operations return documents in the form of {@link dev.pooltrack.report.PoolJson}.
 */
public interface PoolTrackMXBean {

    /** The PoolTrack version running in this JVM. */
    String getVersion();

    /** The verifier flags in force, the {@code /query} Level. */
    int getLevel();

    /** The names of the drivers named in the settings. */
    String[] getVerifiedDrivers();

    /** Whether every driver is verified ({@code /all}). */
    boolean isAllDrivers();

    /** The response to violations: CRASH, THROW or LOG. */
    String getResponse();

    /** Every driver known to the pool, as {@code name (Status)}. */
    String[] getDrivers();

    /** Pool Allocations Attempted. */
    long getAllocationsAttempted();

    /** Pool Allocations Succeeded. */
    long getAllocationsSucceeded();

    /** Pool Allocations Succeeded in Special Pool. */
    long getAllocationsSucceededSpecialPool();

    /** Pool Allocations Without Tag. */
    long getAllocationsWithNoTag();

    /** Pool Allocations Failed. */
    long getAllocationsFailed();

    /** Faults Injected. */
    long getAllocationsFailedDeliberately();

    /** Violations raised since the pool started. */
    long getViolationCount();

    /** The counters now, as a JSON snapshot. */
    String snapshotJson();

    /**
     * Outstanding allocations of verified drivers as a JSON array.
     *
     * @param driver one driver's allocations, or all for an empty name
     * @param limit the most rows to return, biggest first; 0 or less for all
     */
    String outstandingJson(String driver, int limit);

    /** The violations kept (the last 1000), oldest first, as a JSON array. */
    String violationsJson();

    /** The settings in force, in the settings file's format. */
    String settingsText();

    /** {@code verifier /volatile /flags}: replaces the flags now. */
    void setVolatileFlags(int flags);

    /** {@code verifier /volatile /adddriver}: verifies a driver now. */
    void addDriver(String name);

    /** {@code verifier /volatile /removedriver}: refused for a loaded driver. */
    void removeDriver(String name);

    /** Sets the response to violations now: crash, throw or log. */
    void setResponse(String response);
}
