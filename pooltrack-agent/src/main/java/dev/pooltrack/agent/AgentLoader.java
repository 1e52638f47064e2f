package dev.pooltrack.agent;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * Loads PoolTrack's agent into a running JVM: {@code verifier /volatile ... <pid>} on the JVM.
 *
 * <p>Thread-safe (stateless). The target must allow dynamic agent loading (the default on JDK 25,
 * with a warning on the target's stderr that {@code -XX:+EnableDynamicAgentLoading} silences).
 *
 * {@snippet lang = java :
 * AgentLoader.load(pid, "flags=0x8,driver=app.jar"); // Pool Tracking for app.jar's new allocations, now
 * }
 */
public final class AgentLoader {

    /** The system property that names the agent jar, overriding the search of {@link #agentJar()}. */
    public static final String JAR_PROPERTY = "pooltrack.agent.jar";

    private AgentLoader() {}

    /**
     * Loads the agent into the JVM with process id {@code pid}, or applies {@code options} to the agent
     * already running there.
     *
     * @param options the agent's options, as after {@code -javaagent:pooltrack-agent.jar=}
     * @throws IllegalStateException with a message that names the pid and says what went wrong: no
     *     such JVM, attach refused, the agent failed to start, or no agent jar found
     */
    public static void load(long pid, String options) {
        Path jar = agentJar();
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException | IOException e) {
            throw new IllegalStateException(
                    "cannot attach to pid " + pid + " (no such Java process, another user's, or attach disabled): "
                            + e.getMessage(),
                    e);
        }
        try {
            vm.loadAgent(jar.toString(), options == null ? "" : options);
        } catch (AgentLoadException e) {
            throw new IllegalStateException(
                    "pid " + pid + " refused the agent " + jar + ": " + e.getMessage()
                            + (String.valueOf(e.getMessage()).contains("EnableDynamicAgentLoading")
                                    ? " (the JVM was started with -XX:-EnableDynamicAgentLoading)"
                                    : ""),
                    e);
        } catch (AgentInitializationException e) {
            throw new IllegalStateException("the agent failed to start in pid " + pid + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalStateException("lost pid " + pid + " while loading the agent: " + e.getMessage(), e);
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the agent is loaded or not; detaching cannot change that
            }
        }
    }

    /**
     * Checks agent options without loading the agent, so a tool can refuse bad ones before it starts
     * a program.
     *
     * @throws IllegalArgumentException naming the bad option and what is expected
     */
    public static void checkOptions(String options) {
        AgentOptions.parse(options);
    }

    /** The agent's options, one a line with its default and meaning, as {@code java -jar pooltrack-agent.jar} prints them. */
    public static String optionsHelp() {
        return PoolTrackAgent.OPTIONS_HELP;
    }

    /**
     * The agent jar: the system property {@value #JAR_PROPERTY}; else the jar this class was loaded
     * from if it is the agent jar; else {@code pooltrack-agent/target/pooltrack-agent.jar} in the
     * source tree this class (or the {@code pooltrack} CLI jar holding it) comes from; else {@code
     * pooltrack-agent.jar} next to the jar holding this class.
     *
     * @throws IllegalStateException listing where it looked, if none exists
     */
    public static Path agentJar() {
        List<Path> looked = new ArrayList<>();
        String property = System.getProperty(JAR_PROPERTY);
        if (property != null && !property.isBlank()) {
            Path p = Path.of(property);
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath();
            }
            throw new IllegalStateException("no agent jar at " + p + " (system property " + JAR_PROPERTY + ")");
        }
        Path here = codeSource();
        if (here != null) {
            if (Files.isRegularFile(here) && isAgentJar(here)) {
                return here;
            }
            for (Path dir = here.getParent(); dir != null; dir = dir.getParent()) {
                Path candidate =
                        dir.resolve("pooltrack-agent").resolve("target").resolve("pooltrack-agent.jar");
                looked.add(candidate);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
                if (Files.isRegularFile(dir.resolve("mvnw"))) {
                    break; // the source tree's root
                }
            }
            Path sibling = (Files.isDirectory(here) ? here : here.getParent()).resolve("pooltrack-agent.jar");
            looked.add(sibling);
            if (Files.isRegularFile(sibling)) {
                return sibling;
            }
        }
        throw new IllegalStateException("no pooltrack-agent.jar found; looked at " + looked
                + ". Build it with ./mvnw -pl pooltrack-agent -am package -DskipTests, or set -D" + JAR_PROPERTY);
    }

    /** The root of the source tree this code comes from (the folder with {@code mvnw}), or null. */
    public static Path sourceTree() {
        Path here = codeSource();
        for (Path dir = here == null ? null : here.getParent(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("pooltrack-agent"))) {
                return dir;
            }
        }
        return null;
    }

    private static Path codeSource() {
        try {
            var cs = AgentLoader.class.getProtectionDomain().getCodeSource();
            return cs == null ? null : Path.of(cs.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static boolean isAgentJar(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            var m = j.getManifest();
            return m != null
                    && PoolTrackAgent.class
                            .getName()
                            .equals(m.getMainAttributes().getValue("Agent-Class"));
        } catch (IOException e) {
            return false;
        }
    }
}
