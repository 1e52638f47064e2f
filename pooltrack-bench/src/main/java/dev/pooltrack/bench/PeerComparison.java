package dev.pooltrack.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.util.ListStatistics;

/**
 * Runs {@link PeerBenchmark} — PoolTrack's API, Netty and Arrow in one run, then {@link
 * PeerBenchmark#directBuffer} without the agent and under three agent configurations — and prints
 * the "Compared with" table of the README: ns per buffer, the ratio to the untracked {@code malloc}
 * of the same run, the ratio to the tool's own untracked path, and the two goals; then each fork's
 * mean. The benchmarks take turns fork by fork.
 *
 * <p>Not thread-safe; a command-line program. Arguments: the agent jar (default {@code
 * pooltrack-agent/target/pooltrack-agent.jar}), then optional JMH counts {@code forks warmups
 * iterations} (default 1 3 5, one second each). The command is in {@link PeerBenchmark}.
 */
public final class PeerComparison {

    /* Every benchmark method runs in a JVM of its own (JMH forks per method), so Netty's level,
     * Arrow's debug property and the agent never share a JVM. --add-opens java.nio is what Arrow's
     * MemoryUtil needs on JDK 16+ to read a direct buffer's address; on the class path Arrow is in
     * the unnamed module, so the documented "org.apache.arrow.memory.core,ALL-UNNAMED" target is
     * ALL-UNNAMED here (naming the module when it is not loaded as one makes the JVM warn). */

    private PeerComparison() {}

    private record Row(String label, String benchmark, String agentConfig, String untracked) {}

    private record Score(double ns, double error) {}

    /** Runs the comparison and prints the table. */
    public static void main(String[] args) throws RunnerException {
        Path agent = AgentOverhead.agentJar(args);
        int forks = AgentOverhead.count(args, 1, 1, 1, "forks");
        int warmups = AgentOverhead.count(args, 2, 3, 0, "warmups");
        int iterations = AgentOverhead.count(args, 3, 5, 1, "iterations");
        String driver = AgentOverhead.driverName();

        Map<String, String> agentConfigs = new LinkedHashMap<>();
        agentConfigs.put("no agent", null);
        agentConfigs.put("agent, no driver verified", "quiet");
        agentConfigs.put("agent, Pool Tracking + call sites", "flags=0x8,driver=" + driver + ",quiet");
        agentConfigs.put("agent, Pool Tracking + all stacks", "flags=0x8,driver=" + driver + ",stacks=all,quiet");

        List<Row> rows = List.of(
                new Row("untracked malloc + free (FFM downcalls)", "rawMalloc", null, "rawMalloc"),
                new Row(
                        "PoolTrack API, Pool Tracking + call site from a captured stack",
                        "poolTrackStackWalk",
                        null,
                        "rawMalloc"),
                new Row(
                        "PoolTrack API, Pool Tracking + call site registered once",
                        "poolTrackRegisteredSite",
                        null,
                        "rawMalloc"),
                new Row("PoolTrack API, Pool Tracking, call sites off", "poolTrackNoCallSites", null, "rawMalloc"),
                new Row("PoolTrack API, driver not verified (tag counters)", "poolTrackOff", null, "rawMalloc"),
                new Row("allocateDirect + cleaner, no agent", "directBuffer", "no agent", "directBuffer"),
                new Row(
                        "PoolTrack agent, Pool Tracking + all stacks",
                        "directBuffer",
                        "agent, Pool Tracking + all stacks",
                        "directBuffer"),
                new Row(
                        "PoolTrack agent, Pool Tracking + call sites",
                        "directBuffer",
                        "agent, Pool Tracking + call sites",
                        "directBuffer"),
                new Row(
                        "PoolTrack agent, no driver verified (tag counters)",
                        "directBuffer",
                        "agent, no driver verified",
                        "directBuffer"),
                new Row("Netty unpooled direct, PARANOID", "nettyUnpooledParanoid", null, "nettyUnpooledDisabled"),
                new Row("Netty unpooled direct, DISABLED", "nettyUnpooledDisabled", null, "nettyUnpooledDisabled"),
                new Row("Netty pooled direct, PARANOID", "nettyPooledParanoid", null, "nettyPooledDisabled"),
                new Row("Netty pooled direct, DISABLED", "nettyPooledDisabled", null, "nettyPooledDisabled"),
                new Row("Arrow RootAllocator, debug on", "arrowDebugOn", null, "arrowDebugOff"),
                new Row("Arrow RootAllocator, debug off", "arrowDebugOff", null, "arrowDebugOff"));

        /* As in AgentOverhead, the runs take turns fork by fork (each round runs one fork of every
         * benchmark and agent configuration), so that the machine's drift over minutes weighs on a
         * row and the untracked row it is divided by alike. */
        Map<String, ListStatistics> stats = new LinkedHashMap<>();
        Map<String, List<Double>> forkMeans = new LinkedHashMap<>();
        for (int round = 0; round < forks; round++) {
            run(stats, forkMeans, "(rawMalloc|poolTrack|netty|arrow)", null, null, warmups, iterations);
            for (Map.Entry<String, String> c : agentConfigs.entrySet()) {
                String option = c.getValue() == null ? null : "-javaagent:" + agent + "=" + c.getValue();
                run(stats, forkMeans, "directBuffer$", c.getKey(), option, warmups, iterations);
            }
        }
        Map<String, Score> scores = new LinkedHashMap<>();
        stats.forEach((key, s) -> scores.put(key, new Score(s.getMean(), AgentOverhead.error(s))));
        System.out.println();
        System.out.println("Each fork's mean, ns/op, in the order the forks ran:");
        forkMeans.forEach((key, means) -> System.out.printf(
                "  %s: %s%n",
                key, means.stream().map(m -> String.format("%.1f", m)).collect(Collectors.joining(" "))));

        double raw = scores.get(key("rawMalloc", null)).ns();
        System.out.println();
        System.out.println("| one 64-byte buffer: allocate, write + read 12 bytes, free | ns/op | ± | vs untracked"
                + " malloc | vs the tool's own path untracked |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Row r : rows) {
            Score s = scores.get(key(r.benchmark(), r.agentConfig()));
            Score own = scores.get(key(r.untracked(), r.agentConfig() == null ? null : "no agent"));
            System.out.printf(
                    "| %s | %.1f | %.1f | %.2fx | %.2fx |%n",
                    r.label(), s.ns(), s.error(), s.ns() / raw, s.ns() / own.ns());
        }

        double paranoid = scores.get(key("nettyUnpooledParanoid", null)).ns();
        double pooledParanoid = scores.get(key("nettyPooledParanoid", null)).ns();
        double stackWalk = scores.get(key("poolTrackStackWalk", null)).ns();
        double registered = scores.get(key("poolTrackRegisteredSite", null)).ns();
        double agentStacks = scores.get(key("directBuffer", "agent, Pool Tracking + all stacks"))
                .ns();
        double off = scores.get(key("poolTrackOff", null)).ns();
        double noCallSites = scores.get(key("poolTrackNoCallSites", null)).ns();
        double agentOff =
                scores.get(key("directBuffer", "agent, no driver verified")).ns();
        double direct = scores.get(key("directBuffer", "no agent")).ns();
        System.out.printf(
                "%nGoal, stacks on: PoolTrack at least 5x cheaper per tracked buffer than Netty PARANOID%n"
                        + "  Netty unpooled PARANOID / PoolTrack API captured stack = %.2fx%n"
                        + "  Netty unpooled PARANOID / PoolTrack API registered site = %.2fx%n"
                        + "  Netty unpooled PARANOID / PoolTrack agent all stacks   = %.2fx%n"
                        + "  Netty pooled PARANOID   / PoolTrack API captured stack = %.2fx%n",
                paranoid / stackWalk, paranoid / registered, paranoid / agentStacks, pooledParanoid / stackWalk);
        System.out.printf(
                "Goal, stacks off: within 1.5x of untracked%n"
                        + "  PoolTrack API not verified / untracked malloc      = %.2fx%n"
                        + "  PoolTrack API tracking, no call sites / untracked  = %.2fx%n"
                        + "  PoolTrack agent, no driver verified / no agent     = %.2fx%n",
                off / raw, noCallSites / raw, agentOff / direct);
        System.out.printf(
                "%nJava %s (%s), %d cores, %s; forks %d, warmup %d x 1 s, measurement %d x 1 s%n",
                Runtime.version(),
                System.getProperty("java.vm.vendor"),
                Runtime.getRuntime().availableProcessors(),
                AgentOverhead.cpu(),
                forks,
                warmups,
                iterations);
    }

    /** Runs one fork of each benchmark {@code methods} matches and adds its iterations to {@code stats}. */
    private static void run(
            Map<String, ListStatistics> stats,
            Map<String, List<Double>> forkMeans,
            String methods,
            String agentConfig,
            String agentOption,
            int warmups,
            int iterations)
            throws RunnerException {
        List<String> jvm = new ArrayList<>(List.of(
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Xmx1g"));
        jvm.addAll(List.of(AgentOverheadBenchmark.EXPORTS));
        if (agentOption != null) {
            jvm.add(agentOption);
        }
        String include = "^" + Pattern.quote(PeerBenchmark.class.getName()) + "\\." + methods;
        for (RunResult r : AgentOverhead.run(include, jvm, 1, warmups, iterations)) {
            String label = r.getParams().getBenchmark();
            String key = key(label.substring(label.lastIndexOf('.') + 1), agentConfig);
            AgentOverhead.addForks(
                    r,
                    stats.computeIfAbsent(key, k -> new ListStatistics()),
                    forkMeans.computeIfAbsent(key, k -> new ArrayList<>()));
        }
    }

    private static String key(String benchmark, String agentConfig) {
        return agentConfig == null ? benchmark : benchmark + " / " + agentConfig;
    }
}
