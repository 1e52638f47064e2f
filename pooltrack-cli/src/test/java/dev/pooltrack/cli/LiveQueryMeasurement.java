package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.PoolTrackMXBean;
import dev.pooltrack.cli.Processes.Run;
import dev.pooltrack.cli.Processes.Target;
import dev.pooltrack.cli.source.JvmPoolSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reading a JVM that holds a million outstanding allocations costs: the time of {@code verifier
 * /query}, {@code poolused} and {@code outstanding} end to end (a {@code pooltrack} process each), the
 * time of the JMX call alone, and the CPU the target JVM spends when it is polled every second.
 *
 * <p>Run it with {@code JAVA_HOME=<JDK 25> ./mvnw -B -ntp -Pmeasure verify -pl pooltrack-cli -am
 * -Dit.test=LiveQueryMeasurement} (about 3 minutes); it prints the figures and writes them to
 * {@code pooltrack-cli/target/live-query-measurement.txt}. It is not part of the default build.
 */
class LiveQueryMeasurement {

    /* The target is SampleServer with session-plugin and storage-plugin verified and a million
     * sessions open: 1,000,000 tracked allocations of session-plugin, plus 50 requests a second
     * (each opens a session and closes the oldest, so the million stays). CPU is read from
     * /proc/<pid>/stat (utime + stime, in clock ticks) over 30 s windows: first with nothing polling
     * (the baseline: the server's own 50 requests a second), then with one JMX connection calling
     * snapshotJson() every second (what poolmon and a monitoring script do), then with a new
     * pooltrack process running 'poolused' every second (attach, connect and call each time). The
     * cost of polling is the difference to the baseline, as a share of one CPU. */

    private static final int SESSIONS = 1_000_000;
    private static final int WINDOW_SECONDS = 30;

    @TempDir
    Path dir;

    private final StringBuilder report = new StringBuilder();

    @Test
    void millionOutstanding_queriesAnswerUnderASecond_pollingCostsUnderOnePercent() throws Exception {
        try (Target server = Processes.sampleServer(
                dir,
                "flags=0x8\ndriver=session-plugin\ndriver=storage-plugin\nresponse=log\n",
                "--sessions",
                Integer.toString(SESSIONS),
                "--rate",
                "50")) {
            String pid = Long.toString(server.pid());
            line(
                    "JVM %s: SampleServer --sessions %d --rate 50; Java %s; %d CPUs (%s)",
                    pid, SESSIONS, Runtime.version(), Runtime.getRuntime().availableProcessors(), cpuModel());

            Run warm = Processes.pooltrack(dir, "verifier", "/query", pid);
            assertThat(warm.status()).as(warm.err()).isZero();
            assertThat(warm.out())
                    .contains("Name: session-plugin")
                    .containsPattern("CurrentNonPagedPoolAllocations: 100000\\d");
            line("");
            line("End to end, one pooltrack process each (JVM start + attach + JMX connect + call + print), ms:");
            timeCli("pooltrack --version (JVM start only)", 5, "--version");
            timeCli("pooltrack verifier /query " + pid, 7, "verifier", "/query", pid);
            timeCli("pooltrack poolused " + pid + " 2", 7, "poolused", pid, "2");
            timeCli(
                    "pooltrack outstanding " + pid + " session-plugin --limit 1000",
                    3,
                    "outstanding",
                    pid,
                    "session-plugin",
                    "--limit",
                    "1000");

            // The same with the CLI's JVM started from an AOT cache (JDK 25, JEP 514) and C1 only.
            Path aot = dir.resolve("pooltrack.aot");
            Run training = Processes.pooltrack(
                    dir, List.of(), List.of("-XX:AOTCacheOutput=" + aot), "verifier", "/query", pid);
            assertThat(training.status()).as(training.err()).isZero();
            List<String> fast = List.of("-XX:AOTCache=" + aot, "-XX:TieredStopAtLevel=1");
            line("");
            line("The same, the CLI's JVM started with %s, ms:", String.join(" ", fast));
            timeCli(fast, "pooltrack --version (JVM start only)", 5, "--version");
            timeCli(fast, "pooltrack verifier /query " + pid, 7, "verifier", "/query", pid);
            timeCli(fast, "pooltrack poolused " + pid + " 2", 7, "poolused", pid, "2");

            try (JvmPoolSource source = JvmPoolSource.attach(server.pid())) {
                PoolTrackMXBean mbean = source.mbean();
                line("");
                line("The JMX call alone, on an open connection, ms:");
                timeCall("snapshotJson()", 50, mbean::snapshotJson);
                timeCall("snapshotJson() + decode (PoolSource.snapshot)", 50, source::snapshot);
                timeCall(
                        "outstandingJson(\"session-plugin\", 1000)",
                        5,
                        () -> mbean.outstandingJson("session-plugin", 1000));
                line("snapshotJson() is %d bytes", mbean.snapshotJson().length());

                line("");
                line(
                        "CPU the target JVM spends per call (utime+stime from /proc/%s/stat around back-to-back calls;",
                        pid);
                line("an upper bound: it includes the server's own 50 requests a second meanwhile):");
                double perCall = cpuMillisPerCall(server.pid(), 2000, mbean::snapshotJson);
                line(
                        "  snapshotJson() on an open connection: %.3f ms per call -> polling every 1 s costs %.3f %% of one CPU",
                        perCall, perCall / 10);
                double perProcess = cpuMillisPerCall(server.pid(), 20, () -> Processes.pooltrack(dir, "poolused", pid));
                line(
                        "  a 'pooltrack poolused' process (attach, connect, call): %.2f ms per run -> every 1 s costs %.2f %%",
                        perProcess, perProcess / 10);

                line("");
                line(
                        "CPU of the target JVM over %d s windows (utime+stime from /proc/%s/stat), %% of one CPU:",
                        WINDOW_SECONDS, pid);
                double idle = cpuPercent(server.pid(), () -> {});
                line("  nothing polling (baseline)                          %6.2f %%", idle);
                double jmx = cpuPercent(server.pid(), mbean::snapshotJson);
                line(
                        "  snapshotJson() every 1 s on one connection          %6.2f %%   difference %+.2f %%",
                        jmx, jmx - idle);
                double cli = cpuPercent(server.pid(), () -> Processes.pooltrack(dir, "poolused", pid));
                line(
                        "  'pooltrack poolused' process every 1 s              %6.2f %%   difference %+.2f %%",
                        cli, cli - idle);
                double idleAgain = cpuPercent(server.pid(), () -> {});
                line("  nothing polling (baseline again)                    %6.2f %%", idleAgain);

                Files.writeString(Path.of("target", "live-query-measurement.txt"), report, StandardCharsets.UTF_8);
                System.out.print(report);

                assertThat(perCall / 10)
                        .as("CPU share of polling snapshotJson every second")
                        .isLessThan(1.0);
            }
        }
    }

    private void timeCli(String label, int runs, String... args) {
        timeCli(List.of(), label, runs, args);
    }

    private void timeCli(List<String> jvmOptions, String label, int runs, String... args) {
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            Run run = Processes.pooltrack(dir, List.of(), jvmOptions, args);
            ms[i] = (System.nanoTime() - start) / 1e6;
            assertThat(run.status()).as(run.err()).isZero();
        }
        line("  %-62s %s", label, stats(ms));
        if (!label.contains("--version") && !label.contains("outstanding")) {
            assertThat(median(ms)).as(label).isLessThan(1000);
        }
    }

    private void timeCall(String label, int runs, Supplier<?> call) {
        call.get();
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            call.get();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        line("  %-62s %s", label, stats(ms));
    }

    /** The target's CPU use while {@code poll} runs once a second for the window, in % of one CPU. */
    private static double cpuPercent(long pid, Runnable poll) throws IOException, InterruptedException {
        long ticksBefore = cpuTicks(pid);
        long start = System.nanoTime();
        long period = TimeUnit.SECONDS.toNanos(1);
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            poll.run();
            long next = start + (i + 1) * period;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
        long ticks = cpuTicks(pid) - ticksBefore;
        double seconds = (System.nanoTime() - start) / 1e9;
        return 100.0 * ticks / clockTicksPerSecond() / seconds;
    }

    /** The target's CPU time per call of {@code call}, made {@code calls} times back to back, in ms. */
    private static double cpuMillisPerCall(long pid, int calls, Runnable call) throws IOException {
        call.run();
        long ticksBefore = cpuTicks(pid);
        for (int i = 0; i < calls; i++) {
            call.run();
        }
        long ticks = cpuTicks(pid) - ticksBefore;
        return 1000.0 * ticks / clockTicksPerSecond() / calls;
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15: utime, stime
    }

    private static long clockTicksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 100;
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst()
                    .orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static double median(double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String stats(double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        List<String> all = new ArrayList<>();
        for (double m : ms) {
            all.add(String.format("%.0f", m));
        }
        return String.format(
                "median %7.1f  min %7.1f  max %7.1f   (%s)", median(ms), s[0], s[s.length - 1], String.join(" ", all));
    }

    private void line(String format, Object... args) {
        report.append(String.format(format, args)).append('\n');
    }
}
