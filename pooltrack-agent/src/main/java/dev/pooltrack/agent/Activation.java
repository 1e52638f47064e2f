package dev.pooltrack.agent;

import dev.pooltrack.PoolTrack;
import dev.pooltrack.SettingsFile;
import dev.pooltrack.Tag;
import dev.pooltrack.VerifierFlags;
import dev.pooltrack.VerifierSettings;
import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The agent's start once its options are good and the boot jar is appended: creates the runtime,
 * instruments the JDK, registers the MBean and the exit report, and says what it does.
 *
 * <p>Not thread-safe: called under {@link PoolTrackAgent}'s lock.
 */
final class Activation {

    private static AgentRuntime runtime;

    private Activation() {}

    /** The running agent, or {@code null}. */
    static synchronized AgentRuntime runtime() {
        return runtime;
    }

    static synchronized void start(AgentOptions options, VerifierSettings base, Instrumentation inst, boolean dynamic) {
        if (options.settings() != null && System.getProperty(SettingsFile.PROPERTY) == null) {
            System.setProperty(SettingsFile.PROPERTY, options.settings().toString());
        }
        long t0 = System.nanoTime();
        PoolTrack pool = PoolTrack.system();
        debug("PoolTrack.system()", t0);
        pool.applyVolatile(options.applyTo(base != null ? base : pool.settings()));
        boolean jfr = ModuleLayer.boot().findModule("jdk.jfr").isPresent();
        AgentRuntime rt = new AgentRuntime(pool, options, jfr);
        debug("runtime", t0);
        Installer.install(inst, rt, options.inject());
        debug("instrumented", t0);
        runtime = rt;
        if (jfr) {
            // Registering the periodic event starts JFR's machinery (about 200 ms): not on the way to main.
            Thread t = new Thread(
                    () -> {
                        try {
                            JfrEvents.start(pool);
                        } catch (RuntimeException | LinkageError e) {
                            System.err.println("pooltrack-agent: no periodic dev.pooltrack.TagUsage event (" + e + ")");
                        }
                    },
                    "pooltrack-agent-jfr");
            t.setDaemon(true);
            t.start();
        }
        debug("jfr", t0);
        AgentManagement.register(rt);
        debug("mbean", t0);
        if (options.report() != null) {
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(() -> ExitReport.writeQuietly(rt), "pooltrack-exit-report"));
        }
        List<String> errors;
        synchronized (Installer.ERRORS) {
            errors = List.copyOf(Installer.ERRORS);
        }
        for (String e : errors) {
            System.err.println("pooltrack-agent: could not instrument " + e);
        }
        if (!options.quiet()) {
            System.err.println("pooltrack-agent: " + (dynamic ? "attached" : "started") + " in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms; " + describe(pool.settings(), options));
        }
    }

    private static void debug(String step, long t0) {
        if (Boolean.getBoolean("pooltrack.agent.debug")) {
            System.err.println("pooltrack-agent: " + step + " at " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
    }

    /** A second start: the settings apply now, as {@code verifier /volatile} does. */
    static synchronized void reconfigure(AgentOptions options, VerifierSettings base) {
        AgentRuntime rt = runtime;
        if (rt == null) {
            return;
        }
        rt.pool.applyVolatile(options.applyTo(base != null ? base : rt.pool.settings()));
        if (!options.quiet()) {
            System.err.println(
                    "pooltrack-agent: settings applied now (volatile): " + describe(rt.pool.settings(), options)
                            + "; stacks, history, helpers, rules, report and inject keep the values the agent started with");
        }
    }

    static String describe(VerifierSettings s, AgentOptions o) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("flags 0x%X", s.flags()));
        if (s.poolTracking()) {
            b.append(" (Pool Tracking) for ")
                    .append(
                            s.allDrivers()
                                    ? "all drivers"
                                    : s.drivers().isEmpty() ? "no driver" : String.join(", ", s.drivers()));
        } else if (s.flags() == 0) {
            b.append(" (per-tag counters only; flags=0x8,driver=NAME verifies a driver)");
        }
        b.append("; response ").append(s.response().name().toLowerCase(Locale.ROOT));
        b.append("; call sites ").append(s.callSites() ? "on" : "off");
        b.append("; stacks ")
                .append(
                        switch (o.stacks()) {
                            case OFF -> "off";
                            case ALL -> "all";
                            case SAMPLE -> "every " + o.stackSampleEvery() + "th allocation";
                        });
        if (o.stacks() != AgentOptions.StackMode.OFF && o.freeStacks()) {
            b.append(", and of frees");
        }
        if (!s.uniqueTags().isEmpty()) {
            b.append("; unique tags for ")
                    .append(s.uniqueTags().stream()
                            .map(Tag::text)
                            .map(String::strip)
                            .collect(Collectors.joining(", ")));
        }
        if (!o.helpers().isEmpty()) {
            b.append("; helpers ").append(String.join(", ", o.helpers()));
        }
        if (o.report() != null) {
            b.append("; report at exit to ").append(o.report());
        }
        if ((s.flags() & ~VerifierFlags.POOL_TRACKING) != 0) {
            b.append("; the agent itself watches for Pool Tracking only");
        }
        return b.toString();
    }
}
