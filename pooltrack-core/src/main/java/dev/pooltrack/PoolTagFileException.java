package dev.pooltrack;

/**
 * The exception thrown when a pooltag.txt file cannot be read or has a malformed line.
 *
 * <p>The message names the file and, for a malformed line, the 1-based line number, in the form
 * compilers use: {@code pooltag.txt:12: bad tag 'Toolong' (...)}. It is unchecked, like the
 * {@link IllegalArgumentException} it extends, because a bad pooltag.txt is bad input to
 * {@link PoolTagFile#parse}: a command line prints the message and exits with status 1. Instances
 * are immutable once thrown and thread-safe.
 */
public final class PoolTagFileException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;

    PoolTagFileException(String source, int line, String problem) {
        super(source + ":" + line + ": " + problem);
        this.source = source;
        this.line = line;
    }

    PoolTagFileException(String source, String message, Throwable cause) {
        super(message, cause);
        this.source = source;
        this.line = 0;
    }

    /** The name of the file or other source, as given to {@link PoolTagFile#parse}. */
    public String source() {
        return source;
    }

    /** The 1-based number of the malformed line, or 0 when the source could not be read at all. */
    public int line() {
        return line;
    }
}
