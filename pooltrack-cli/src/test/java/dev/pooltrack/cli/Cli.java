package dev.pooltrack.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@code pooltrack} in this JVM, Windows syntax included, and keeps what it printed. */
final class Cli {

    /** What one run printed, and its exit status. */
    record Run(int status, String out, String err) {}

    private Cli() {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = PoolTrackCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = PoolTrackCommand.execute(cl, args);
        return new Run(status, out.toString(), err.toString());
    }
}
