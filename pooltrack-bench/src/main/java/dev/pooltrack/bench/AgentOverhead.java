package dev.pooltrack.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.ListStatistics;

/**
 * Runs {@link AgentOverheadBenchmark} without the agent and under three agent configurations, in one
 * run, the configurations taking turns fork by fork, and prints the table in the README: ns/op and
 * the ratio to no agent, then each fork's mean.
 *
 * <p>Not thread-safe; a command-line program. Arguments: the agent jar (default {@code
 * pooltrack-agent/target/pooltrack-agent.jar}), then optional JMH counts {@code forks warmups
 * iterations} (default 1 3 5, one second each), then optionally a regular expression of the
 * workloads to run ({@code 'downcall.*'}; default all), then optionally a regular expression that
 * the configurations to run must contain ({@code 'no agent|counters'} for an A/B of the counters-only
 * path against the same run's baseline; default all).
 */
public final class AgentOverhead {

    /* The driver verified in the tracking configurations is the jar holding the benchmark, so every
     * allocation of the workload is recorded with its call site. The JMH forks inherit the class path
     * (benchmarks.jar), which names that driver. */

    private AgentOverhead() {}

    /** Runs the table. */
    public static void main(String[] args) throws RunnerException {
        Path agent = agentJar(args);
        int forks = count(args, 1, 1, 1, "forks");
        int warmups = count(args, 2, 3, 0, "warmups");
        int iterations = count(args, 3, 5, 1, "iterations");
        String workloads = args.length > 4 ? pattern(args[4], "workloads").pattern() : ".*";
        Pattern configured = pattern(args.length > 5 ? args[5] : "", "configurations");
        String driver = driverName();

        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("no agent", null);
        configs.put("agent, per-tag counters only", "quiet");
        configs.put("Pool Tracking + call sites", "flags=0x8,driver=" + driver + ",quiet");
        configs.put("Pool Tracking + all stacks", "flags=0x8,driver=" + driver + ",stacks=all,quiet");
        configs.keySet().removeIf(name -> !configured.matcher(name).find());

        /* The machine's speed drifts over minutes (a fork of the same build can run 30 % slower than
         * the one before it), so the configurations take turns: each round runs one fork of every
         * configuration, and a configuration's figure is over all its forks' measured iterations.
         * Drift then weighs on every configuration alike instead of on whichever ran last. */
        Map<String, Map<String, ListStatistics>> table = new LinkedHashMap<>();
        Map<String, Map<String, List<Double>>> forkMeans = new LinkedHashMap<>();
        for (int round = 0; round < forks; round++) {
            for (Map.Entry<String, String> c : configs.entrySet()) {
                List<String> jvm = new ArrayList<>(List.of("--sun-misc-unsafe-memory-access=allow", "-Xmx1g"));
                jvm.addAll(List.of(AgentOverheadBenchmark.EXPORTS));
                if (c.getValue() != null) {
                    jvm.add("-javaagent:" + agent + "=" + c.getValue());
                }
                Collection<RunResult> results = run(
                        AgentOverheadBenchmark.class.getName() + "\\." + workloads + "$", jvm, 1, warmups, iterations);
                for (RunResult r : results) {
                    String label = r.getParams().getBenchmark();
                    label = label.substring(label.lastIndexOf('.') + 1);
                    addForks(
                            r,
                            table.computeIfAbsent(label, k -> new LinkedHashMap<>())
                                    .computeIfAbsent(c.getKey(), k -> new ListStatistics()),
                            forkMeans
                                    .computeIfAbsent(label, k -> new LinkedHashMap<>())
                                    .computeIfAbsent(c.getKey(), k -> new ArrayList<>()));
                }
            }
        }
        System.out.println();
        System.out.println("Each fork's mean, ns/op, in the order the forks ran:");
        forkMeans.forEach((workload, rows) -> rows.forEach((config, means) -> System.out.printf(
                "  %s, %s: %s%n",
                workload,
                config,
                means.stream().map(m -> String.format("%.1f", m)).collect(Collectors.joining(" ")))));
        System.out.println();
        System.out.println("| workload | configuration | ns/op | ± | vs no agent |");
        System.out.println("|---|---|---:|---:|---:|");
        table.forEach((workload, rows) -> {
            double base = rows.containsKey("no agent") ? rows.get("no agent").getMean() : Double.NaN;
            rows.forEach((config, s) -> System.out.printf(
                    "| %s | %s | %.1f | %.1f | %.2fx |%n",
                    workload, config, s.getMean(), error(s), s.getMean() / base));
        });
        Map<String, ListStatistics> tracked = table.get("downcall");
        Map<String, ListStatistics> untracked = table.get("downcallUntracked");
        if (tracked != null && untracked != null) {
            System.out.println();
            System.out.println(
                    "| configuration | malloc+free, handle the agent watches | the same, untracked handle | ratio |");
            System.out.println("|---|---:|---:|---:|");
            tracked.forEach((config, s) -> {
                double raw = untracked.get(config).getMean();
                System.out.printf("| %s | %.1f ns | %.1f ns | %.2fx |%n", config, s.getMean(), raw, s.getMean() / raw);
            });
        }
        System.out.printf(
                "%nJava %s (%s), %d cores, %s; forks %d, warmup %d x 1 s, measurement %d x 1 s%n",
                Runtime.version(),
                System.getProperty("java.vm.vendor"),
                Runtime.getRuntime().availableProcessors(),
                cpu(),
                forks,
                warmups,
                iterations);
    }

    /**
     * The count in {@code args[index]}, or {@code fallback} if there is none; exits 1 with a message
     * naming the argument if it is not a whole number of at least {@code least}.
     */
    static int count(String[] args, int index, int fallback, int least, String name) {
        if (args.length <= index) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(args[index]);
            if (n >= least) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        System.err.println("bad " + name + " count '" + args[index] + "': expected a whole number >= " + least);
        System.exit(1);
        return fallback;
    }

    /** {@code regex} compiled; exits 1 with a message naming the argument if it is not a regular expression. */
    private static Pattern pattern(String regex, String name) {
        try {
            return Pattern.compile(regex);
        } catch (java.util.regex.PatternSyntaxException e) {
            System.err.println("bad " + name + " pattern '" + regex + "': " + e.getDescription());
            System.exit(1);
            return null;
        }
    }

    /** Adds the measured iterations of {@code r}'s forks to {@code all} and each fork's mean to {@code forkMeans}. */
    static void addForks(RunResult r, ListStatistics all, List<Double> forkMeans) {
        for (BenchmarkResult fork : r.getBenchmarkResults()) {
            ListStatistics one = new ListStatistics();
            for (IterationResult i : fork.getIterationResults()) {
                all.addValue(i.getPrimaryResult().getScore());
                one.addValue(i.getPrimaryResult().getScore());
            }
            forkMeans.add(one.getMean());
        }
    }

    /** The half-width of the 99.9 % confidence interval of the mean, as JMH prints it. */
    static double error(ListStatistics s) {
        return s.getN() > 2 ? s.getMeanErrorAt(0.999) : Double.NaN;
    }

    /** The agent jar named by the first argument (or the build's), or exit 1 if there is none. */
    static Path agentJar(String[] args) {
        Path agent = Path.of(args.length > 0 ? args[0] : "pooltrack-agent/target/pooltrack-agent.jar")
                .toAbsolutePath();
        if (!Files.isRegularFile(agent)) {
            System.err.println("no agent jar at " + agent + ": build it with ./mvnw -pl pooltrack-agent -am package"
                    + " -DskipTests, or pass its path");
            System.exit(1);
        }
        return agent;
    }

    /**
     * Runs the benchmarks {@code include} matches, one-second iterations, ns/op, with {@code jvm}
     * appended to each fork's options.
     */
    static Collection<RunResult> run(String include, List<String> jvm, int forks, int warmups, int iterations)
            throws RunnerException {
        return new Runner(new OptionsBuilder()
                        .include(include)
                        .forks(forks)
                        .warmupIterations(warmups)
                        .warmupTime(TimeValue.seconds(1))
                        .measurementIterations(iterations)
                        .measurementTime(TimeValue.seconds(1))
                        .timeUnit(TimeUnit.NANOSECONDS)
                        .jvmArgsAppend(jvm.toArray(String[]::new))
                        .build())
                .run();
    }

    /** The file name of the jar (or folder) holding the benchmarks: the driver the agent verifies. */
    static String driverName() {
        try {
            Path p = Path.of(AgentOverhead.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return p.getFileName().toString() + (Files.isDirectory(p) ? "/" : "");
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CPU's model name from /proc/cpuinfo. */
    static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst()
                    .orElse("unknown CPU");
        } catch (java.io.IOException e) {
            return "unknown CPU";
        }
    }
}
