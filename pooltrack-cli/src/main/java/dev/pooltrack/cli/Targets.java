package dev.pooltrack.cli;

import dev.pooltrack.cli.source.Jvms;
import dev.pooltrack.cli.source.PoolSource;
import dev.pooltrack.cli.source.PoolSources;
import dev.pooltrack.cli.source.ReportFileSource;
import java.nio.file.Path;
import java.util.List;

/** Where a command reads its pool from: the pid of a running JVM, or a bug check report file. Stateless. */
final class Targets {

    /* Commands take the pid as their first positional argument (verifier /query 4242, poolused
     * 4242 2) or as --pid; a report file comes with --report. Without either, a command cannot guess
     * which JVM is meant, so it says so and lists the JVMs it could attach to, which is what jcmd
     * prints when run without arguments. */

    private Targets() {}

    /**
     * Opens the pool to read.
     *
     * @param pid the JVM's pid, or null
     * @param report a bug check report file, or null
     * @param example a command line for the message when neither is given
     * @throws CommandException if both or neither are given
     * @throws dev.pooltrack.cli.source.SourceException if the source cannot be opened
     */
    static PoolSource open(PoolSources sources, Long pid, Path report, String example) {
        if (pid != null && report != null) {
            throw new CommandException("give the pid of a running JVM or --report FILE, not both");
        }
        if (report != null) {
            return ReportFileSource.open(report);
        }
        return attach(sources, pid, example);
    }

    /** Opens a running JVM, which a command that changes it needs. */
    static PoolSource attach(PoolSources sources, Long pid, String example) {
        if (pid == null) {
            throw noPid(sources, example);
        }
        return sources.open(Long.toString(pid));
    }

    /** The error for a command given no pid: what to write, and the JVMs there are. */
    static CommandException noPid(PoolSources sources, String example) {
        List<String> jvms = sources.candidates();
        StringBuilder message = new StringBuilder("no pid given: name the JVM, for example 'pooltrack " + example
                + "'. JVMs you can attach to (pooltrack jvms --pooltrack tells which run PoolTrack):");
        if (jvms.isEmpty()) {
            message.append("\n").append(Jvms.listing(List.of()));
        }
        for (String jvm : jvms) {
            message.append("\n  ").append(jvm);
        }
        return new CommandException(message.toString());
    }

    /** Whether a positional argument is a pid: digits only. */
    static boolean isPid(String arg) {
        return !arg.isEmpty() && arg.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /**
     * Parses a pid.
     *
     * @throws CommandException if it is not a number from 1 up
     */
    static long pid(String arg) {
        if (arg.startsWith("/") || arg.startsWith("-")) {
            throw new CommandException("Unknown option: '" + arg + "'");
        }
        try {
            long pid = Long.parseLong(arg);
            if (pid > 0) {
                return pid;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CommandException("bad pid '" + arg + "': a process id is a number from 1 up");
    }

    /**
     * Parses a number written in decimal or with {@code 0x} in hex, as the debugger's flags are.
     *
     * @throws CommandException naming {@code what} if it is not a number from 0 to {@code max}
     */
    static int number(String text, String what, int max) {
        String t = text.strip();
        try {
            long v = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
            if (v >= 0 && v <= max) {
                return (int) v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CommandException(
                "bad " + what + " '" + text + "': give a number from 0 to " + max + " in decimal or 0x hex");
    }
}
