package dev.pooltrack.cli;

import dev.pooltrack.cli.source.PoolSources;
import java.io.InputStream;
import java.io.PrintWriter;
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
                    + " sample plugins."
        },
        subcommands = {
            DemoCommand.class,
            PoolMonCommand.class,
            ManagerCommand.class,
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
        System.exit(commandLine().execute(args));
    }

    /**
     * A fresh command line for {@code pooltrack}, its exit statuses set: bad input exits with {@link
     * ExitStatus#ERROR}, as does a command that fails.
     */
    public static CommandLine commandLine() {
        return commandLine(PoolSources.unavailable(), System.in);
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
                return defaults.create(type);
            }
        };
        CommandLine cl = new CommandLine(new PoolTrackCommand(), factory);
        cl.setExecutionExceptionHandler((e, failed, parsed) -> {
            PrintWriter err = failed.getErr();
            err.println("pooltrack " + failed.getCommandName() + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.toString()));
            if (!(e instanceof IllegalArgumentException || e instanceof IllegalStateException)) {
                e.printStackTrace(err);
            }
            err.flush();
            return ExitStatus.ERROR;
        });
        useErrorStatusForBadInput(cl);
        return cl;
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
