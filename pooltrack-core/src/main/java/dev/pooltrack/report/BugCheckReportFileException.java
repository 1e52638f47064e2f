package dev.pooltrack.report;

import java.io.IOException;
import java.io.Serial;
import java.nio.file.Path;

/**
 * Thrown when a file is not a complete, intact PoolTrack bug check report: truncated, changed after
 * it was written, of an unknown format version, or not a report at all.
 *
 * <p>The message starts with the file and says what is wrong, for example {@code
 * pooltrack-bugcheck-4242-20250601-120000-c4.txt: truncated: no END OF REPORT line (the JVM may have
 * died while writing it)}. An {@link IOException}, so callers handle it with the other failures to
 * read the file. Immutable and thread-safe.
 */
public final class BugCheckReportFileException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /** An exception for the given file; the message is prefixed with the file. */
    public BugCheckReportFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** The file that could not be read. */
    public Path file() {
        return file;
    }
}
