package dev.pooltrack.agent;

import dev.pooltrack.SettingsFile;
import dev.pooltrack.VerifierSettings;
import java.lang.instrument.Instrumentation;

/**
 * PoolTrack's Java agent: Driver Verifier's Pool Tracking for the native memory of an unmodified
 * application. Start it with {@code -javaagent:pooltrack-agent.jar=flags=0x8,driver=app.jar}, or load
 * it into a running JVM with {@link AgentLoader}; the options are listed in {@code docs/agent.md} and
 * by {@code java -jar pooltrack-agent.jar}.
 *
 * <p>Thread-safe: {@link #premain} and {@link #agentmain} both run one synchronized start. A second
 * start in the same JVM applies its verifier settings now ({@code verifier /volatile}) and keeps the
 * rest. Bad options print one message on stderr and leave the application running without the agent.
 */
public final class PoolTrackAgent {

    /* This class names no class of the boot jar: Hooks must be loaded by the boot loader, after the
     * jar holding it is appended (pitfall 12), so everything that names it lives in Activation. */

    private static boolean started;

    private PoolTrackAgent() {}

    /** Called by the JVM for {@code -javaagent:}. */
    public static void premain(String options, Instrumentation inst) {
        start(options, inst, false);
    }

    /** Called by the JVM when the agent is loaded into a running JVM. */
    public static void agentmain(String options, Instrumentation inst) {
        start(options, inst, true);
    }

    /** Prints the options. */
    public static void main(String[] args) {
        System.out.println("""
                pooltrack-agent: Driver Verifier Pool Tracking for the native memory of a Java program.

                Usage: java -javaagent:pooltrack-agent.jar[=OPTIONS] ... (or ./pooltrack run -- java ...)
                OPTIONS is a comma-separated list of key=value items; list values repeat or join with +.
                """);
        System.out.println(OPTIONS_HELP);
    }

    static final String OPTIONS_HELP = """
              flags=0x8               verifier flags (verifier /flags); 0x8 is Pool Tracking
              driver=app.jar          a driver to verify (verifier /driver): a jar file name, a module name
                                      or a classes folder (target/classes/)
              all                     verify every driver (verifier /all)
              response=log            what a violation does: log, throw or crash
              callsites=on            record the call site of each verified allocation (on, off)
              stacks=off              capture whole stacks: off, sample:N (every Nth allocation), all
              history=1024            allocations and frees kept in the !verifier 0x80 log (0: none)
              uniquetags=Leak         give each call site that passes this tag one of its own (Lea1, ...)
              helpers=io.netty+x.jar  libraries whose memory is charged to their caller (packages or jars)
              rules=com.acme.db:AcDb  tag what code under a package or class allocates
              report=FILE             at exit, write the outstanding allocations to FILE and its .json twin
              settings=FILE           the settings file to start from (default: the CLI's settings file)
              inject=on               give allocating calls a constant site id as classes load (on, off)
              downcalls=on            watch Linker downcall handles to malloc, free, ... (tag Jdwn; on, off)
              quiet                   print nothing at start-up
            """;

    private static synchronized void start(String text, Instrumentation inst, boolean dynamic) {
        AgentOptions options;
        VerifierSettings base = null;
        try {
            options = AgentOptions.parse(text);
            if (options.settings() != null) {
                if (!java.nio.file.Files.isRegularFile(options.settings())) {
                    throw new IllegalArgumentException("bad option 'settings=" + options.settings()
                            + "': no such settings file (pooltrack verifier writes one)");
                }
                base = SettingsFile.read(options.settings());
            }
        } catch (IllegalArgumentException e) {
            System.err.println("pooltrack-agent: " + e.getMessage() + "\npooltrack-agent: the agent is not started;"
                    + " the application runs without it. Options:\n" + OPTIONS_HELP);
            return;
        }
        try {
            if (started) {
                Activation.reconfigure(options, base);
                return;
            }
            BootJar.append(inst);
            Activation.start(options, base, inst, dynamic);
            started = true;
        } catch (Throwable t) {
            System.err.println("pooltrack-agent: could not start (" + t + "); the application runs without it");
            t.printStackTrace();
        }
    }
}
