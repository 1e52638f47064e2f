package dev.pooltrack.cli;

import dev.pooltrack.agent.AgentLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pooltrack agent-jar}: the path of {@code pooltrack-agent.jar}, built first if missing. */
@Command(
        name = "agent-jar",
        mixinStandardHelpOptions = true,
        header = "Prints the path of pooltrack-agent.jar, for -javaagent:PATH=OPTIONS.",
        description = {
            "",
            "The jar is found next to this pooltrack (pooltrack-agent/target/pooltrack-agent.jar in its"
                    + " source tree), or where -Dpooltrack.agent.jar says. When the source tree is there"
                    + " and the jar is not, it is built first (./mvnw -pl pooltrack-agent -am package"
                    + " -DskipTests; the build's output goes to stderr).",
            "",
            "Example: java -javaagent:$(./pooltrack agent-jar)=flags=0x8,driver=app.jar -jar app.jar",
            ""
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitStatus.SUCCESS + ":the path was printed",
            ExitStatus.ERROR + ":error: no agent jar, and it could not be built"
        })
final class AgentJarCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--no-build", description = "Do not build the jar when it is missing.")
    boolean noBuild;

    @Option(names = "--options", description = "Also print the agent's options.")
    boolean options;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        out.println(locate(!noBuild, spec.commandLine().getErr()));
        if (options) {
            out.println();
            out.print(AgentLoader.optionsHelp());
        }
        out.flush();
        return ExitStatus.SUCCESS;
    }

    /**
     * The agent jar, built first when {@code build} is set, it is missing and the source tree is known.
     *
     * @throws IllegalStateException if there is no jar (saying where it looked and how to build it)
     */
    static Path locate(boolean build, PrintWriter log) throws IOException, InterruptedException {
        try {
            return AgentLoader.agentJar();
        } catch (IllegalStateException missing) {
            Path tree = AgentLoader.sourceTree();
            if (!build || tree == null || System.getProperty(AgentLoader.JAR_PROPERTY) != null) {
                throw missing;
            }
            log.println("pooltrack: building " + tree.resolve("pooltrack-agent/target/pooltrack-agent.jar") + " ...");
            log.flush();
            List<String> cmd = List.of(
                    tree.resolve("mvnw").toString(),
                    "-B",
                    "-q",
                    "-ntp",
                    "-DskipTests",
                    "-pl",
                    "pooltrack-agent",
                    "-am",
                    "package");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(tree.toFile()).redirectErrorStream(true);
            pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
            Process p = pb.start();
            try (var reader = new java.io.BufferedReader(
                    new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                reader.lines().forEach(log::println);
            }
            log.flush();
            int status = p.waitFor();
            Path jar = tree.resolve("pooltrack-agent").resolve("target").resolve("pooltrack-agent.jar");
            if (status != 0 || !Files.isRegularFile(jar)) {
                throw new IllegalStateException("building the agent failed (exit status " + status + "); run: cd "
                        + tree + " && ./mvnw -pl pooltrack-agent -am package -DskipTests");
            }
            return jar;
        }
    }
}
