package dev.pooltrack.cli;

import java.io.Serial;

/**
 * A command that cannot do what was asked, with a message for the user as it stands: {@code
 * pooltrack} prints {@code pooltrack: <message>} on stderr and exits with {@link ExitStatus#ERROR}.
 */
final class CommandException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    CommandException(String message) {
        super(message);
    }

    CommandException(String message, Throwable cause) {
        super(message, cause);
    }
}
