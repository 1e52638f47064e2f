package dev.pooltrack.cli.source;

import java.util.List;

/**
 * Opens the {@link PoolSource} a command reads: the JVM with a given pid, or the one a user means
 * when no pid is given. The seam between the commands and the way they reach a running JVM, so the
 * commands are tested against pools in the test's own JVM.
 *
 * <p>Implementations must be safe to call from the thread that runs a command.
 */
@FunctionalInterface
public interface PoolSources {

    /**
     * Opens a source.
     *
     * @param pidOrNull the process id as the user typed it, or {@code null} when none was given
     * @throws IllegalArgumentException if no JVM with PoolTrack has that pid (the message says why)
     * @throws IllegalStateException if the JVM cannot be reached (the message says why)
     */
    PoolSource open(String pidOrNull);

    /**
     * The JVMs {@link #open} can reach, as {@code pid  description} lines for a menu; empty when the
     * resolver cannot list them.
     */
    default List<String> candidates() {
        return List.of();
    }

    /**
     * The resolver used until the live-JVM source is wired in: every {@link #open} fails with a
     * message saying so.
     */
    static PoolSources unavailable() {
        return pid -> {
            throw new IllegalStateException("reading a running JVM"
                    + (pid == null ? "" : " (pid " + pid + ")")
                    + " is not available in this build of pooltrack yet");
        };
    }
}
