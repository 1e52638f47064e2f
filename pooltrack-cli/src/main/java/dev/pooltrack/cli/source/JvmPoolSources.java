package dev.pooltrack.cli.source;

import java.util.List;

/**
 * Opens running JVMs on this machine by pid through the Attach API ({@link JvmPoolSource}): the
 * {@link PoolSources} of the {@code pooltrack} command. Thread-safe (stateless).
 */
public final class JvmPoolSources implements PoolSources {

    /* PoolSources' contract: IllegalArgumentException when no JVM with PoolTrack has the pid (none
     * given, not a number, no such process, not a JVM, a JVM without PoolTrack),
     * IllegalStateException when the JVM cannot be reached (attach refused, the connection fails).
     * The messages are JvmPoolSource's, unchanged. */

    /** The resolver. */
    public JvmPoolSources() {}

    @Override
    public PoolSource open(String pidOrNull) {
        if (pidOrNull == null) {
            throw new IllegalArgumentException(
                    "no pid given: name the JVM to read. JVMs you can attach to:\n" + Jvms.listing(Jvms.list()));
        }
        long pid;
        try {
            pid = Long.parseLong(pidOrNull.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad pid '" + pidOrNull + "': a process id is a number from 1 up", e);
        }
        try {
            return JvmPoolSource.attach(pid);
        } catch (JvmPoolSource.NoSuchJvmException | JvmPoolSource.NoPoolTrackException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (SourceException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The JVMs this user can attach to, {@code "4242  com.example.Main --port 80"}, by pid. */
    @Override
    public List<String> candidates() {
        return Jvms.list().stream()
                .map(j -> (j.pid() + "  " + j.displayName()).strip())
                .toList();
    }
}
