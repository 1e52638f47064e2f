package dev.pooltrack.cli;

import dev.pooltrack.SettingsFile;
import dev.pooltrack.cli.source.PoolSources;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pooltrack manager}: Driver Verifier Manager, the wizard {@code pooltrack verifier} opens when
 * it is given no arguments ({@link #run} is what that command calls).
 */
@Command(
        name = "manager",
        mixinStandardHelpOptions = true,
        header = "Driver Verifier Manager: create, delete and display verifier settings step by step.",
        synopsisHeading = "%nUsage: ",
        description = {
            "",
            "The wizard 'pooltrack verifier' opens with no arguments, as Windows' verifier",
            "does:",
            "  1. Select a task: create standard settings, create custom settings (for",
            "     code developers), delete existing settings, display existing settings,",
            "     or display information about the currently verified drivers.",
            "  2. Custom settings: select individual settings from a full list (Pool",
            "     tracking among them).",
            "  3. Select the drivers to verify: all, or from the drivers a running JVM",
            "     knows (Loaded, Unloaded, Never Loaded), or names you type.",
            "  4. Apply when a JVM next starts (the settings file; exit 2) or now in that",
            "     JVM (volatile; exit 0).",
            "Answers are read one a line from standard input: b goes back, q cancels.",
            ""
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitStatus.SUCCESS + ":settings applied now, displayed, or the wizard was cancelled",
            ExitStatus.ERROR + ":error: the input ended, or the settings file or the JVM could not be used",
            ExitStatus.RESTART_NEEDED + ":settings saved or deleted: they apply when a JVM next starts"
        })
final class ManagerCommand implements Callable<Integer> {

    private final PoolSources sources;
    private final InputStream stdin;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--settings",
            paramLabel = "FILE",
            description = "The settings file (default: -Dpooltrack.settings, $POOLTRACK_SETTINGS,"
                    + " or ~/.pooltrack/verifier.conf).")
    Path settings;

    ManagerCommand(PoolSources sources, InputStream stdin) {
        this.sources = sources;
        this.stdin = stdin;
    }

    @Override
    public Integer call() {
        return run(
                sources,
                settings == null ? SettingsFile.location() : settings,
                stdin,
                spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }

    /**
     * Runs Driver Verifier Manager on {@code stdin}, as {@code pooltrack verifier} with no arguments.
     *
     * @return the exit status: 0 applied now, displayed or cancelled; 1 input ended or failed; 2
     *     settings saved or deleted
     */
    static int run(PoolSources sources, Path settingsFile, InputStream stdin, PrintWriter out, PrintWriter err) {
        BufferedReader in = new BufferedReader(new InputStreamReader(stdin, stdinCharset()));
        return DriverVerifierManager.run(sources, settingsFile, in, out, err);
    }

    private static Charset stdinCharset() {
        String name = System.getProperty("stdin.encoding");
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return Charset.defaultCharset();
        }
    }
}
