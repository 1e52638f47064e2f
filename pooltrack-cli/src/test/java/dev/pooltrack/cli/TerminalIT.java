package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pooltrack.SettingsFile;
import dev.pooltrack.VerifierSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code poolmon}'s live view and Driver Verifier Manager on a real pseudo-terminal: a forked JVM
 * ({@link PtyMain}) on a pty that a small Python driver types into, as a user would over SSH.
 */
class TerminalIT {

    /** What the terminal showed, the driver's report, and the exit status. */
    record Session(int status, String screen, String report) {}

    private static Path driver;

    @TempDir
    Path dir;

    @BeforeAll
    static void needsPythonAndLinuxPty() throws IOException {
        assumeTrue(python(), "python3 with its pty module is needed to drive a pseudo-terminal");
        driver = Files.createTempFile("pty_driver", ".py");
        try (InputStream in = TerminalIT.class.getResourceAsStream("pty_driver.py")) {
            Files.write(driver, in.readAllBytes());
        }
        driver.toFile().deleteOnExit();
    }

    private static boolean python() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import pty, termios, fcntl")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** A script of steps for the driver: {@code expect}, then {@code send}, in turn. */
    private static String script(String... expectThenSend) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < expectThenSend.length; i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append("[\"")
                    .append(i % 2 == 0 ? "expect" : "send")
                    .append("\",")
                    .append(jsonString(expectThenSend[i]))
                    .append(']');
        }
        return json.append(']').toString();
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private Session run(String script, String... pooltrackArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("python3", driver.toString(), script));
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(PtyMain.class.getName());
        command.addAll(List.of(pooltrackArgs));
        Path report = dir.resolve("report.txt");
        Process p = new ProcessBuilder(command).redirectError(report.toFile()).start();
        byte[] screen = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Session(p.exitValue(), new String(screen, StandardCharsets.UTF_8), Files.readString(report));
    }

    @Test
    void manager_standardSettingsAfterRestart_overAPty() throws Exception {
        Path settings = dir.resolve("verifier.conf");

        Session s = run(
                script(
                        "Choose 1-5 (q Cancel): ", "1\r",
                        "Choose 1-2 (b Back, q Cancel): ", "2\r",
                        "JVM (b Back, q Cancel): ", "4242\r",
                        "n Next (b Back, q Cancel): ", "2\r",
                        "n Next (b Back, q Cancel): ", "n\r",
                        "Choose 1-2 (b Back, q Cancel): ", "1\r"),
                "manager",
                "--settings",
                settings.toString());

        assertThat(s.status()).as(s.screen() + s.report()).isEqualTo(ExitStatus.RESTART_NEEDED);
        assertThat(s.screen())
                .as("answers are echoed and lines end in CR LF: a terminal, not a pipe")
                .contains("Choose 1-5 (q Cancel): 1\r\n")
                .contains("   2  [X]     storage-plugin  Loaded        no\r\n")
                .contains("Saved in " + settings + ".\r\n")
                .contains("terminal restored: true");
        assertThat(SettingsFile.read(settings).drivers()).containsExactly("storage-plugin");
        assertThat(SettingsFile.read(settings).flags()).isEqualTo(0x9);
    }

    @Test
    void manager_badInputThenCtrlD_asksAgainThenExitsOne() throws Exception {
        Path settings = dir.resolve("verifier.conf");
        SettingsFile.write(settings, VerifierSettings.poolTracking("storage-plugin"));

        Session s = run(
                script("Choose 1-5 (q Cancel): ", "9\r", "is not a choice", "", "Choose 1-5 (q Cancel): ", "\u0004"),
                "manager",
                "--settings",
                settings.toString());

        assertThat(s.status()).as(s.screen() + s.report()).isEqualTo(ExitStatus.ERROR);
        assertThat(s.screen())
                .contains("'9' is not a choice: type a number from 1 to 5.")
                .contains("pooltrack verifier: input ended; no settings were changed");
        assertThat(SettingsFile.read(settings).drivers()).containsExactly("storage-plugin");
    }

    @Test
    void poolmon_liveView_keysChangeTheTableAndQRestoresTheTerminal() throws Exception {
        Session s = run(
                script(
                        "l highlight",
                        "b",
                        "Sort: Bytes",
                        "(",
                        "Sort: Bytes (change)",
                        "",
                        PoolMonScreen.REVERSE,
                        "?",
                        " PoolMon keys",
                        "x",
                        " Tag  Type",
                        "p",
                        "Pools: NonPaged only",
                        "q"),
                "poolmon",
                "--interval",
                "1",
                TestPools.PID);

        assertThat(s.status()).as(s.screen() + s.report()).isZero();
        String screen = s.screen();
        assertThat(screen).startsWith(Terminal.ALTERNATE_SCREEN + Terminal.HIDE_CURSOR);
        int leave = screen.lastIndexOf(Terminal.MAIN_SCREEN);
        assertThat(leave).as("leaves the alternate screen").isPositive();
        assertThat(screen.substring(0, leave)).contains(" Tick Nonp").contains("JVM 4242 (dev.pooltrack.test.Main)");
        assertThat(screen.substring(leave)).contains("terminal restored: true");
        assertThat(screen.lastIndexOf(Terminal.SHOW_CURSOR)).isGreaterThan(screen.lastIndexOf(Terminal.HIDE_CURSOR));
        assertThat(s.report()).contains("lflag icanon=1 echo=1");
    }

    @Test
    void poolmon_ctrlC_restoresTheTerminalOnTheWayOut() throws Exception {
        Session s = run(script("l highlight", "\u0003"), "poolmon", TestPools.PID);

        assertThat(s.status()).as(s.screen() + s.report()).isEqualTo(130);
        String screen = s.screen();
        assertThat(screen.lastIndexOf(Terminal.MAIN_SCREEN)).isGreaterThan(screen.indexOf("l highlight"));
        assertThat(screen.lastIndexOf(Terminal.SHOW_CURSOR)).isGreaterThan(screen.indexOf("l highlight"));
        assertThat(s.report()).contains("lflag icanon=1 echo=1");
    }
}
