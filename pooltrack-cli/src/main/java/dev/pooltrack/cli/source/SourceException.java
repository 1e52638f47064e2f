package dev.pooltrack.cli.source;

import java.io.Serial;

/**
 * A pool source that cannot be opened or read: no such process, a JVM without PoolTrack, attach
 * refused, a lost connection, a damaged report file. The message is for the user as it stands
 * ({@code no Java process with pid 4242}); the command prints it and exits with status 1.
 */
public class SourceException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** An exception with a message for the user. */
    public SourceException(String message) {
        super(message);
    }

    /** An exception with a message for the user, and the failure behind it. */
    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
