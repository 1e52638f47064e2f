package dev.pooltrack.cli;

import dev.pooltrack.cli.source.JvmPoolSources;
import dev.pooltrack.cli.source.PoolSources;
import dev.pooltrack.cli.source.SourceException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code pooltrack} command: with no subcommand it prints its usage.
 *
 * <p>Start it with {@link #main}, or in-process with {@link #commandLine()}{@code .execute(args)},
 * which returns the exit status instead of exiting.
 */
@Command(
        name = "pooltrack",
        mixinStandardHelpOptions = true,
        versionProvider = PoolTrackCommand.ManifestVersion.class,
        description = {
            "Driver Verifier Pool Tracking for native memory on the JVM: tagged allocations, per-tag"
                    + " counters (!poolused), a leak check when a driver unloads (bug check 0xC4/0x62),"
                    + " and the outstanding allocations with their call sites (!verifier 3).",
            "",
            "Start with 'pooltrack demo': it runs the story of \"Troubleshooting Pool Leaks\" Part 4 on two"
                    + " sample plugins. 'pooltrack jvms' lists the running JVMs; the other commands read one by"
                    + " its pid.",
            "",
            "Options may be written the Windows way or the GNU way:",
            "  /flags 0x8 /driver a.jar   is   --flags 0x8 --driver a.jar",
            "  /t5                        is   -t5",
            "  /?                         is   --help",
            "Each '/name' that is an option of the command becomes '--name' (any case), or '-x...' for"
                    + " a one-letter option x, before the command line is parsed; anything else, such as a path"
                    + " or poolmon's /iTag, stays as it is."
        },
        subcommands = {
            VerifierCommand.class,
            PoolUsedCommand.class,
            OutstandingCommand.class,
            PoolMonCommand.class,
            AnalyzeCommand.class,
            JvmsCommand.class,
            ManagerCommand.class,
            DemoCommand.class,
            AgentJarCommand.class,
            RunCommand.class,
            StacksCommand.class,
            FindTagCommand.class
        },
        commandListHeading = "%nCommands:%n",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitStatus.SUCCESS + ":success",
            ExitStatus.ERROR + ":error: bad input (an unknown option or command, a bad value) or a failed command",
            ExitStatus.RESTART_NEEDED + ":restart needed: the settings apply when the JVM next starts"
        })
public final class PoolTrackCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** Runs {@code pooltrack} with the given arguments and exits with its status. */
    public static void main(String[] args) {
        // One line per record for the LOG response's warnings, unless the user configured logging.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null
                && System.getProperty("java.util.logging.config.file") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "pooltrack: %4$s: %5$s%6$s%n");
        }
        System.exit(execute(commandLine(), args));
    }

    /**
     * Runs {@code pooltrack} on {@code cl} (from {@link #commandLine()}) with the given arguments,
     * Windows-style options rewritten first ({@link WindowsSyntax}), and returns its exit status.
     */
    public static int execute(CommandLine cl, String... args) {
        return cl.execute(WindowsSyntax.toGnu(cl, args));
    }

    /**
     * A fresh command line for {@code pooltrack}, its exit statuses set: bad input exits with {@link
     * ExitStatus#ERROR}, as does a command that fails.
     */
    public static CommandLine commandLine() {
        return commandLine(new JvmPoolSources(), System.in);
    }

    /**
     * A fresh command line whose commands read JVMs through {@code sources} and answers from {@code
     * stdin}.
     */
    static CommandLine commandLine(PoolSources sources, InputStream stdin) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                if (type == PoolMonCommand.class) {
                    return type.cast(new PoolMonCommand(sources));
                }
                if (type == ManagerCommand.class) {
                    return type.cast(new ManagerCommand(sources, stdin));
                }
                if (type == VerifierCommand.class) {
                    return type.cast(new VerifierCommand(sources, stdin));
                }
                if (type == PoolUsedCommand.class) {
                    return type.cast(new PoolUsedCommand(sources));
                }
                if (type == OutstandingCommand.class) {
                    return type.cast(new OutstandingCommand(sources));
                }
                return defaults.create(type);
            }
        };
        CommandLine cl = new CommandLine(new PoolTrackCommand(), factory);
        cl.setExecutionExceptionHandler((e, failed, parsed) -> {
            PrintWriter err = failed.getErr();
            err.println("pooltrack: " + message(e));
            if (!isForTheUser(e)) {
                e.printStackTrace(err);
            }
            err.flush();
            return ExitStatus.ERROR;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            PrintWriter err = failed.getErr();
            String message = e instanceof CommandLine.UnmatchedArgumentException
                    ? unknownWindowsOption(args).orElse(e.getMessage())
                    : e.getMessage();
            err.println("pooltrack: " + message);
            err.println("Try 'pooltrack "
                    + (failed == cl ? "" : failed.getCommandName() + " ")
                    + "--help' for more information.");
            err.flush();
            return ExitStatus.ERROR;
        });
        useErrorStatusForBadInput(cl);
        return cl;
    }

    /* Errors the user can act on (a bad value, no such process, a JVM without PoolTrack, a damaged
     * file) are one line, "pooltrack: <message>", as a Unix tool prints them; anything else is a bug
     * in pooltrack and gets its stack trace too. */

    /**
     * A Windows-style option that {@link WindowsSyntax} left as it was, so not an option of the
     * command: when parsing failed, the likely cause, which picocli reports as an unmatched argument.
     */
    private static Optional<String> unknownWindowsOption(String[] args) {
        for (String a : args) {
            if (a.matches("/[A-Za-z][A-Za-z0-9]*")) {
                return Optional.of("Unknown option: '" + a + "'");
            }
        }
        return Optional.empty();
    }

    private static boolean isForTheUser(Exception e) {
        return e instanceof CommandException
                || e instanceof SourceException
                || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException
                || e instanceof UnsupportedOperationException;
    }

    private static String message(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static void useErrorStatusForBadInput(CommandLine cl) {
        cl.getCommandSpec().exitCodeOnInvalidInput(ExitStatus.ERROR);
        cl.getCommandSpec().exitCodeOnExecutionException(ExitStatus.ERROR);
        for (CommandLine sub : cl.getSubcommands().values()) {
            useErrorStatusForBadInput(sub);
        }
    }

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        cl.usage(cl.getOut());
        return ExitStatus.SUCCESS;
    }

    /** The version from the jar's manifest ({@code Implementation-Version}), and the JVM running it. */
    static final class ManifestVersion implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = PoolTrackCommand.class.getPackage().getImplementationVersion();
            return new String[] {
                "pooltrack " + (version == null ? "(development build, no jar manifest)" : version),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + ")"
            };
        }
    }
}
