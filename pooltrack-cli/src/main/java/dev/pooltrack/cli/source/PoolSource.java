package dev.pooltrack.cli.source;

import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.Violation;
import java.util.List;

/**
 * Where a {@code pooltrack} command reads a pool from: a running JVM (attached by pid, through its
 * PoolTrack MBean), a pool in this JVM, or a bug check report file. Every report command works the
 * same against each.
 *
 * <p>Implementations are not required to be thread-safe; a command uses one from one thread.
 */
public interface PoolSource extends AutoCloseable {

    /** What this source is, for headings and messages: {@code JVM 1234 (com.example.Main)}. */
    String describe();

    /** The counters now. */
    PoolSnapshot snapshot();

    /**
     * Outstanding allocations of verified drivers, sorted by address.
     *
     * @param driver one driver's, or all when {@code null}
     * @param limit the most rows (the biggest), or 0 for all
     * @throws IllegalArgumentException if no driver has that name
     */
    List<OutstandingAllocation> outstanding(String driver, int limit);

    /** The violations kept, oldest first. */
    List<Violation> violations();

    /** The settings in force, in the settings file's format. */
    String settingsText();

    /**
     * {@code /volatile /flags}.
     *
     * @throws UnsupportedOperationException if the source cannot be changed (a report file)
     */
    void setVolatileFlags(int flags);

    /** {@code /volatile /adddriver}. */
    void addDriver(String name);

    /** {@code /volatile /removedriver}; refused for a loaded driver. */
    void removeDriver(String name);

    /** Sets the response to violations now. */
    void setResponse(String response);

    /** Releases the connection, if any. */
    @Override
    void close();
}
