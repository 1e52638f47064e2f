package dev.pooltrack.cli;

import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Rewrites Windows-style options ({@code /flags 0x8 /driver a.jar}, {@code /t5}, {@code /?}) into
 * the GNU spelling picocli parses ({@code --flags 0x8 --driver a.jar}, {@code -t5}, {@code --help}).
 * Stateless and thread-safe.
 */
final class WindowsSyntax {

    /* picocli could be given "/flags" as an option name, but then every argument starting with '/'
     * resembles an option, and a path such as /tmp/verifier.log becomes "Unknown option". So
     * pooltrack keeps GNU names only and rewrites before parsing, per subcommand, an argument
     * "/name" when the subcommand has an option "--name" (any case, as verifier.exe accepts
     * /FLAGS), or "-x" for the first letter of "/xvalue" (so /t5 is -t5, /t is -t, and poolmon's
     * /iLeak is -iLeak). An argument is left alone when it is not a known option that way, when it
     * follows an option that takes a value (a log file /tmp/x.log after /log), when it holds a
     * second '/' (a path), and after "--". */

    private WindowsSyntax() {}

    /**
     * The arguments with Windows-style options of the chosen subcommand rewritten to their GNU
     * names. Arguments that are not Windows-style options of that subcommand are returned as they
     * are.
     */
    static String[] toGnu(CommandLine root, String... args) {
        String[] out = args.clone();
        CommandSpec spec = root.getCommandSpec();
        boolean subcommandSeen = false;
        boolean valueNext = false;
        for (int i = 0; i < out.length; i++) {
            String arg = out[i];
            if (arg.equals("--")) {
                break;
            }
            if (valueNext) {
                valueNext = false;
                continue;
            }
            CommandLine sub = subcommandSeen ? null : root.getSubcommands().get(arg);
            if (sub != null) {
                spec = sub.getCommandSpec();
                subcommandSeen = true;
                continue;
            }
            String gnu = rewrite(spec, arg);
            out[i] = gnu;
            valueNext = takesSeparateValue(spec, gnu);
        }
        return out;
    }

    private static String rewrite(CommandSpec spec, String arg) {
        if (arg.equals("/?")) {
            return "--help";
        }
        if (arg.length() < 2 || arg.charAt(0) != '/' || !Character.isLetter(arg.charAt(1))) {
            return arg;
        }
        String name = arg.substring(1);
        String longName = "--" + name.toLowerCase(Locale.ROOT);
        if (hasOption(spec, longName)) {
            return longName;
        }
        if (name.indexOf('/') >= 0) {
            return arg;
        }
        if (hasOption(spec, "-" + name.charAt(0))) {
            return "-" + name;
        }
        return arg;
    }

    private static boolean hasOption(CommandSpec spec, String name) {
        for (OptionSpec o : spec.options()) {
            for (String n : o.names()) {
                if (n.equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether {@code arg} is an option whose value is the next argument ({@code --log FILE}, {@code -t 5}). */
    private static boolean takesSeparateValue(CommandSpec spec, String arg) {
        if (!arg.startsWith("-") || arg.contains("=")) {
            return false;
        }
        boolean attachedShortValue = !arg.startsWith("--") && arg.length() > 2;
        if (attachedShortValue || !hasOption(spec, arg)) {
            return false;
        }
        return spec.findOption(arg).arity().min() > 0;
    }
}
