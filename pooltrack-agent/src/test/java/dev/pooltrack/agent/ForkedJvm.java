package dev.pooltrack.agent;

import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.report.Json;
import dev.pooltrack.report.PoolJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Builds the test drivers' jars from the test classes and runs the test host in a forked JVM. */
final class ForkedJvm {

    /** A finished run. */
    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private ForkedJvm() {}

    static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    static Path agentJar() {
        String p = System.getProperty(AgentLoader.JAR_PROPERTY);
        Path jar = p != null ? Path.of(p) : Path.of("target", "pooltrack-agent.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no agent jar at " + jar + ": run ./mvnw verify (it packages first)");
        }
        return jar.toAbsolutePath();
    }

    static Path codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A jar holding the test classes of the given packages (as folders: example/alpha). */
    static Path jar(Path dir, String name, String... packageFolders) throws IOException {
        Path classes = codeSource(ForkedJvm.class);
        Path jar = dir.resolve(name);
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file)) {
            for (String folder : packageFolders) {
                try (Stream<Path> files = Files.list(classes.resolve(folder))) {
                    for (Path f : files.sorted().toList()) {
                        out.putNextEntry(new JarEntry(folder + "/" + f.getFileName()));
                        out.write(Files.readAllBytes(f));
                        out.closeEntry();
                    }
                }
            }
        }
        return jar;
    }

    /** The standard set: host, alpha, beta and helper jars in {@code dir}. */
    static List<Path> standardJars(Path dir) throws IOException {
        return List.of(
                jar(dir, "host.jar", "example/host"),
                jar(dir, "alpha.jar", "example/alpha"),
                jar(dir, "beta.jar", "example/beta"),
                jar(dir, "helper.jar", "example/helper"),
                codeSource(dev.pooltrack.examples.SampleWorkload.class));
    }

    /** A forked JVM that is running, with the files its output goes to. */
    record Started(Process process, Path out, Path err) {
        /**
         * Waits until the program printed {@code text} (at most 60 s).
         *
         * @throws IllegalStateException with its output when it ended or timed out first
         */
        void awaitOutput(String text) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(out).contains(text)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the forked JVM did not print '" + text + "': "
                            + Files.readString(out) + Files.readString(err));
                }
                Thread.sleep(20);
            }
        }

        /** Waits for the end. */
        Run finish() throws IOException, InterruptedException {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("the forked JVM did not finish in 120 s: " + Files.readString(err));
            }
            return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        }
    }

    /** Starts the host without waiting. */
    static Started start(Path dir, List<String> jvmArgs, String agentOptions, List<Path> classPath, String... args)
            throws IOException {
        return startMain(dir, jvmArgs, agentOptions, classPath, "example.host.Main", args);
    }

    /** Starts a main class of the test host without waiting. */
    static Started startMain(
            Path dir, List<String> jvmArgs, String agentOptions, List<Path> classPath, String main, String... args)
            throws IOException {
        return startMain(dir, Map.of(), jvmArgs, agentOptions, classPath, main, args);
    }

    /** Starts a main class of the test host without waiting, with {@code env} added to its environment. */
    static Started startMain(
            Path dir,
            Map<String, String> env,
            List<String> jvmArgs,
            String agentOptions,
            List<Path> classPath,
            String main,
            String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.add("-XX:TieredStopAtLevel=1");
        if (agentOptions != null) {
            cmd.add("-javaagent:" + agentJar() + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
        }
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(String.join(
                java.io.File.pathSeparator,
                classPath.stream().map(Path::toString).toList()));
        cmd.add(main);
        cmd.addAll(List.of(args));
        int n = RUNS.incrementAndGet();
        Path out = dir.resolve("out-" + n + ".txt");
        Path err = dir.resolve("err-" + n + ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        return new Started(p, out, err);
    }

    private static final java.util.concurrent.atomic.AtomicInteger RUNS =
            new java.util.concurrent.atomic.AtomicInteger();

    /** Runs the host to the end. */
    static Run run(Path dir, List<String> jvmArgs, String agentOptions, List<Path> classPath, String... args)
            throws IOException, InterruptedException {
        return start(dir, jvmArgs, agentOptions, classPath, args).finish();
    }

    /** The outstanding allocations in an agent report's JSON twin. */
    static List<OutstandingAllocation> outstanding(Path jsonReport) throws IOException {
        Map<?, ?> json = (Map<?, ?>) Json.parse(Files.readString(jsonReport, StandardCharsets.UTF_8));
        return PoolJson.readOutstanding(Json.write(json.get("outstanding")), jsonReport.toString());
    }

    /** The whole JSON report. */
    static Map<?, ?> report(Path jsonReport) throws IOException {
        return (Map<?, ?>) Json.parse(Files.readString(jsonReport, StandardCharsets.UTF_8));
    }
}
