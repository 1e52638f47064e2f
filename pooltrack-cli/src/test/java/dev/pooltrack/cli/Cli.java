package dev.pooltrack.cli;

import dev.pooltrack.cli.source.PoolSources;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs {@code pooltrack} in this JVM, as {@code main} does (Windows syntax included), and keeps what it printed. */
final class Cli {

    /** What one run printed, and its exit status. */
    record Run(int status, String out, String err) {}

    private Cli() {}

    /** {@code pooltrack ARGS} as the command line runs it: running JVMs read through the Attach API. */
    static Run run(String... args) {
        return run(PoolTrackCommand.commandLine(), args);
    }

    /** {@code pooltrack ARGS} reading JVMs through {@code sources}, with empty standard input. */
    static Run pooltrack(PoolSources sources, String... args) {
        return pooltrackWithInput(sources, "", args);
    }

    /** {@code pooltrack ARGS} reading JVMs through {@code sources} and {@code input} as standard input. */
    static Run pooltrackWithInput(PoolSources sources, String input, String... args) {
        return run(
                PoolTrackCommand.commandLine(sources, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8))),
                args);
    }

    private static Run run(picocli.CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = PoolTrackCommand.execute(cl, args);
        return new Run(status, out.toString(), err.toString());
    }
}
