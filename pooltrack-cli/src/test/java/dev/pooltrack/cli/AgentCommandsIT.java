package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.cli.source.PoolSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent-jar}, {@code run} and {@code stacks <pid>} against real JVMs with the agent. */
class AgentCommandsIT {

    private static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    private static final String TEST_CLASSES =
            Path.of("target", "test-classes").toAbsolutePath().toString();

    @Test
    void agentJar_printsTheBuiltJar() {
        Cli.Run r = Cli.pooltrack(PoolSources.unavailable(), "agent-jar", "--no-build");
        assertThat(r.status()).as(r.err()).isZero();
        Path jar = Path.of(r.out().strip());
        assertThat(jar.getFileName().toString()).isEqualTo("pooltrack-agent.jar");
        assertThat(jar).isRegularFile();
    }

    @Test
    void run_startsTheProgramWithTheAgent_andWritesTheReport(@TempDir Path dir) {
        Path report = dir.resolve("run.txt");
        Cli.Run r = Cli.pooltrack(
                PoolSources.unavailable(),
                "run",
                "/flags",
                "0x8",
                "/all",
                "/report",
                report.toString(),
                "--",
                JAVA,
                "-cp",
                TEST_CLASSES,
                "example.cli.Holder");
        assertThat(r.status()).isZero();
        assertThat(report).content().contains("0x00003039  Jdbb  Holder!keepBuffers");
    }

    @Test
    void stacks_pid_readsTheAgentsCapturedStacks(@TempDir Path dir) throws Exception {
        Path go = dir.resolve("go");
        Path out = dir.resolve("out.txt");
        Process target = new ProcessBuilder(
                        JAVA,
                        "-javaagent:" + AgentJarCommand.locate(false, new java.io.PrintWriter(System.err))
                                + "=stacks=all,quiet",
                        "-cp",
                        TEST_CLASSES,
                        "example.cli.Holder",
                        go.toString())
                .redirectOutput(out.toFile())
                .redirectError(dir.resolve("err.txt").toFile())
                .start();
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(out).contains("leaked") && target.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Cli.Run r = Cli.pooltrack(PoolSources.unavailable(), "stacks", Long.toString(target.pid()));

            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out())
                    .as(Files.readString(dir.resolve("err.txt")))
                    .contains("Jdbb  1 allocations  12345 bytes  driver target/test-classes/")
                    .containsPattern("at java.base/java.nio.ByteBuffer.allocateDirect\\(ByteBuffer.java:\\d+\\)\\n"
                            + "\\s+at example.cli.Holder.keepBuffers\\(Holder.java:27\\)")
                    .contains("at example.cli.Holder.keepBuffers(Holder.java:28)");
        } finally {
            Files.writeString(go, "go");
            target.waitFor(30, TimeUnit.SECONDS);
            target.destroyForcibly();
        }
    }

    @Test
    void stacks_pidWithoutAgent_saysHowToStartIt(@TempDir Path dir) throws Exception {
        Path go = dir.resolve("go");
        Path out = dir.resolve("out.txt");
        Process target = new ProcessBuilder(JAVA, "-cp", TEST_CLASSES, "example.cli.Holder", go.toString())
                .redirectOutput(out.toFile())
                .start();
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(out).contains("leaked") && target.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Cli.Run r = Cli.pooltrack(PoolSources.unavailable(), "stacks", Long.toString(target.pid()));
            assertThat(r.status()).isEqualTo(ExitStatus.ERROR);
            assertThat(r.err()).contains("runs no PoolTrack agent");
        } finally {
            Files.writeString(go, "go");
            target.waitFor(30, TimeUnit.SECONDS);
            target.destroyForcibly();
        }
    }

    @Test
    void verifierVolatile_jvmWithoutPoolTrack_loadsTheAgentAndTracksFromThenOn(@TempDir Path dir) throws Exception {
        Path stop = dir.resolve("stop");
        Path out = dir.resolve("out.txt");
        Process target = new ProcessBuilder(
                        JAVA,
                        "-XX:+EnableDynamicAgentLoading",
                        "-cp",
                        TEST_CLASSES,
                        "example.cli.Ticker",
                        stop.toString())
                .redirectOutput(out.toFile())
                .redirectError(dir.resolve("err.txt").toFile())
                .start();
        try {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.readString(out).contains("ticking") && target.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            String pid = Long.toString(target.pid());
            String driver = "target/test-classes/";

            Cli.Run r = Cli.pooltrack(
                    new dev.pooltrack.cli.source.JvmPoolSources(),
                    "verifier",
                    "/volatile",
                    "/flags",
                    "0x8",
                    "/adddriver",
                    driver,
                    pid);

            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.err())
                    .contains("JVM " + pid + " had no PoolTrack: loaded the agent (flags=0x8,driver=" + driver + ")");
            assertThat(r.out()).contains(driver + " (Loaded): verified now");
            Cli.Run listing;
            do {
                Thread.sleep(100);
                listing = Cli.pooltrack(new dev.pooltrack.cli.source.JvmPoolSources(), "outstanding", pid, driver);
            } while (!listing.out().contains("Ticker!tick") && System.nanoTime() < deadline);
            assertThat(listing.out())
                    .as(listing.err())
                    .contains("0x00001000  Jdbb  Ticker!tick  example.cli.Ticker.tick(Ticker.java:27)");
        } finally {
            Files.createFile(stop);
            target.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            target.destroyForcibly();
        }
    }
}
