package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.PoolTrack;
import dev.pooltrack.examples.SampleServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Real processes for the integration tests: target JVMs started from the examples module, and the
 * {@code pooltrack} command run as {@code java -jar pooltrack.jar}.
 */
final class Processes {

    /* The CLI is the shaded jar the package phase built (failsafe passes its path as the system
     * property pooltrack.jar), run by the java of the JDK running the tests. Target JVMs get the
     * classes of core and examples from wherever this test JVM loaded them (the reactor's jars or
     * classes folders), and -Dpooltrack.settings pointing into the test's temporary folder, so no
     * test reads or writes ~/.pooltrack. The CLI gets POOLTRACK_SETTINGS for the same reason. */

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Processes() {}

    /** What one run of the CLI printed, and its exit status. */
    record Run(int status, String out, String err) {}

    /** A started JVM that printed {@code ready <pid>}. */
    record Target(Process process, long pid, Path stderr) implements AutoCloseable {

        /** Sends {@code quit} and waits for the exit; kills it if it does not exit. */
        @Override
        public void close() throws IOException {
            try {
                quit();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }

        private void quit() throws InterruptedException {
            if (process.isAlive()) {
                try {
                    process.getOutputStream().write("quit\n".getBytes(StandardCharsets.UTF_8));
                    process.getOutputStream().close();
                } catch (IOException e) {
                    // it exited meanwhile
                }
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Path cliJar() {
        Path jar = Path.of(System.getProperty("pooltrack.jar", "target/pooltrack.jar"));
        assertThat(jar)
                .as("the CLI jar; run the integration tests through Maven (package builds it)")
                .exists();
        return jar;
    }

    private static Path locationOf(Class<?> type) {
        try {
            return Path.of(
                    type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts SampleServer with the given settings file text and options, and waits for its pid. */
    static Target sampleServer(Path dir, String settings, String... options) throws IOException {
        return sampleServer(dir, settings, List.of(), options);
    }

    /** Starts SampleServer with these JVM options, settings file text and options, and waits for its pid. */
    static Target sampleServer(Path dir, String settings, List<String> jvmOptions, String... options)
            throws IOException {
        Path settingsFile = Files.writeString(Files.createTempFile(dir, "server-", ".conf"), settings);
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "--enable-native-access=ALL-UNNAMED",
                "-Dpooltrack.settings=" + settingsFile,
                "-cp",
                locationOf(SampleServer.class) + java.io.File.pathSeparator + locationOf(PoolTrack.class),
                SampleServer.class.getName()));
        command.addAll(List.of(options));
        return start(dir, command);
    }

    /** Starts a JVM without PoolTrack, and waits for its pid. */
    static Target idleJvm(Path dir) throws IOException {
        return start(dir, List.of(java(), "-cp", locationOf(IdleJvm.class).toString(), IdleJvm.class.getName()));
    }

    private static Target start(Path dir, List<String> command) throws IOException {
        Path stderr = Files.createTempFile(dir, "target-", ".err");
        Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String line;
        try {
            line = ready.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    "no 'ready' line from " + command + "; stderr: " + Files.readString(stderr), e);
        }
        assertThat(line)
                .as("first line of %s; stderr: %s", command, Files.readString(stderr))
                .startsWith("ready ");
        // Keep draining stdout so the target never blocks on a full pipe.
        Thread.ofVirtual().start(() -> {
            try {
                while (out.readLine() != null) {
                    // discarded
                }
            } catch (IOException e) {
                // the target exited
            }
        });
        return new Target(p, Long.parseLong(line.substring("ready ".length()).strip()), stderr);
    }

    /** Runs {@code java -jar pooltrack.jar ARGS} to its end, with its settings file in {@code dir}. */
    static Run pooltrack(Path dir, String... args) {
        return pooltrack(dir, List.of(), args);
    }

    /** Runs the CLI prefixed with {@code prefix} (for example {@code runuser -u nobody --}). */
    static Run pooltrack(Path dir, List<String> prefix, String... args) {
        return pooltrack(dir, prefix, List.of(), args);
    }

    /** Runs the CLI prefixed with {@code prefix}, its JVM started with {@code jvmOptions}. */
    static Run pooltrack(Path dir, List<String> prefix, List<String> jvmOptions, String... args) {
        Process p = startPooltrack(dir, prefix, jvmOptions, args);
        try {
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("pooltrack " + List.of(args) + " did not end within " + TIMEOUT);
            }
            return new Run(p.exitValue(), out.get(), err.get());
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts the CLI and returns at once. */
    static Process startPooltrack(Path dir, List<String> prefix, String... args) {
        return startPooltrack(dir, prefix, List.of(), args);
    }

    private static Process startPooltrack(Path dir, List<String> prefix, List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(java());
        command.addAll(jvmOptions);
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-jar", cliJar().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.put("POOLTRACK_SETTINGS", dir.resolve("cli-settings.conf").toString());
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
