package dev.pooltrack.cli;

import dev.pooltrack.agent.AgentLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code pooltrack run [verifier options] -- <java command line>}: runs a Java program with the
 * PoolTrack agent, as {@code verifier /flags 0x8 /driver app.jar} followed by a reboot would.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        header = "Runs a Java program with the PoolTrack agent and the given verifier settings.",
        synopsisHeading = "%nUsage: ",
        customSynopsis = {
            "pooltrack run [/flags F] [/driver NAME...] [/all] [/response R]",
            "      [/stacks S] [/report FILE] [/uniquetags TAG...] [/helpers X...]",
            "      [/rules PKG:TAG...] [/callsites on|off] [/history N] [/settings FILE]",
            "      [/agent OPTIONS] -- java [JVM options] MAIN [args]",
            "  (GNU spellings too: --flags F --driver NAME ... --)"
        },
        description = {
            "",
            "Each switch becomes an option of the agent (java -jar pooltrack-agent.jar",
            "lists them):",
            "  /flags F            verifier flags; 0x8 is Pool Tracking",
            "  /driver NAME...     drivers to verify: jar names, modules, class folders",
            "  /all                verify every driver",
            "  /response R         log (default), throw or crash",
            "  /stacks S           off, sample:N or all",
            "  /report FILE        at exit, what is outstanding, in FILE and its .json",
            "  /uniquetags TAG...  a tag of its own for each call site passing TAG",
            "  /helpers X...       libraries (packages, jars) charging their caller",
            "  /rules PKG:TAG...   tag what code under a package or class allocates",
            "  /callsites on|off, /history N, /settings FILE",
            "  /agent OPTIONS      raw agent options, appended as given",
            "",
            "A bare 'java' runs the JDK that runs pooltrack (25 or later). A command",
            "that is not java gets the agent through JAVA_TOOL_OPTIONS, so build tools",
            "and launchers pass it on to the JVMs they start.",
            ""
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "N:the program's own exit status",
            ExitStatus.ERROR + ":error: a bad switch, no command after --, or no agent jar"
        })
final class RunCommand implements Callable<Integer> {

    /* Windows spellings (/flags) and GNU ones (--flags, --flags=V) are both read here from the words
     * before "--", not by picocli: /driver takes every name up to the next switch, as verifier.exe
     * does. The words are collected raw (@Parameters and @Unmatched) and re-read in order. */

    private static final List<String> MULTI = List.of("driver", "uniquetags", "helpers", "rules");
    private static final List<String> SINGLE =
            List.of("flags", "response", "stacks", "report", "callsites", "history", "settings", "agent");

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", hidden = true)
    List<String> words = new ArrayList<>();

    @Unmatched
    List<String> unmatched = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        int start = args.indexOf("run") + 1;
        int dash = args.indexOf("--");
        if (dash < 0 || dash == args.size() - 1) {
            throw new ParameterException(
                    spec.commandLine(),
                    "give the program to run after --, for example: pooltrack run /flags 0x8"
                            + " /driver app.jar -- java -jar app.jar");
        }
        String options;
        try {
            options = agentOptions(args.subList(start, dash));
            AgentLoader.checkOptions(options);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Path jar = AgentJarCommand.locate(true, spec.commandLine().getErr());
        List<String> command = new ArrayList<>(args.subList(dash + 1, args.size()));
        if (command.getFirst().equals("java")) {
            command.set(
                    0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        }
        String agent = "-javaagent:" + jar + (options.isEmpty() ? "" : "=" + options);
        ProcessBuilder pb = new ProcessBuilder(withAgent(command, agent)).inheritIO();
        if (!isJava(command.getFirst())) {
            String existing = System.getenv("JAVA_TOOL_OPTIONS");
            pb.environment().put("JAVA_TOOL_OPTIONS", (existing == null ? "" : existing + " ") + agent);
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        }
        return p.waitFor();
    }

    /** The command with {@code -javaagent:...} right after the java launcher, when it is one. */
    static List<String> withAgent(List<String> command, String agent) {
        List<String> out = new ArrayList<>(command);
        if (isJava(out.getFirst())) {
            out.add(1, agent);
        }
        return out;
    }

    static boolean isJava(String executable) {
        String name = Path.of(executable).getFileName().toString();
        return name.equals("java") || name.equals("java.exe");
    }

    /**
     * The agent option text for verifier switches.
     *
     * @throws IllegalArgumentException for an unknown switch or a switch without its value
     */
    static String agentOptions(List<String> words) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String key;
            String inline = null;
            if (w.startsWith("--")) {
                key = w.substring(2);
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    inline = key.substring(eq + 1);
                    key = key.substring(0, eq);
                }
            } else if (w.startsWith("/")) {
                key = w.substring(1);
            } else {
                throw new IllegalArgumentException("unexpected '" + w + "' before --: verifier switches start with /"
                        + " or --; the program to run goes after --");
            }
            key = key.toLowerCase(Locale.ROOT);
            if (key.equals("all")) {
                out.add("all");
            } else if (key.equals("quiet")) {
                out.add("quiet");
            } else if (SINGLE.contains(key)) {
                String v = inline != null ? inline : value(words, ++i, key);
                out.add(key.equals("agent") ? v : key + "=" + v);
            } else if (MULTI.contains(key)) {
                List<String> values = new ArrayList<>();
                if (inline != null) {
                    values.add(inline);
                } else {
                    while (i + 1 < words.size() && !isSwitch(words.get(i + 1))) {
                        values.add(words.get(++i));
                    }
                }
                if (values.isEmpty()) {
                    throw new IllegalArgumentException("switch " + w + " needs a value");
                }
                out.add(key + "=" + String.join("+", values));
            } else {
                throw new IllegalArgumentException("unknown switch " + w + " (known: /flags /driver /all /response"
                        + " /stacks /report /uniquetags /helpers /rules /callsites /history /settings /agent)");
            }
        }
        return String.join(",", out);
    }

    private static boolean isSwitch(String w) {
        return w.startsWith("--") || (w.startsWith("/") && w.indexOf('/', 1) < 0 && w.length() > 1);
    }

    private static String value(List<String> words, int i, String key) {
        if (i >= words.size() || isSwitch(words.get(i))) {
            throw new IllegalArgumentException("switch /" + key + " needs a value");
        }
        return words.get(i);
    }
}
