package dev.pooltrack.cli;

import dev.pooltrack.PoolTrack;
import dev.pooltrack.Response;
import dev.pooltrack.SettingsFile;
import dev.pooltrack.SpecialPoolSettings;
import dev.pooltrack.VerifierFlags;
import dev.pooltrack.VerifierSettings;
import dev.pooltrack.Violation;
import dev.pooltrack.examples.OverrunDriver;
import dev.pooltrack.report.AnalyzeReport;
import dev.pooltrack.report.FaultAnalysis;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The overrun story of {@code pooltrack demo overrun}: a plugin whose native code writes past the end
 * of its buffer, found at free by Pool Tracking's tail zone (0xC4/0x51), then caught as it happens by
 * special pool in a JVM that dies of it (0xD6 from its hs_err file), and a use after free caught the
 * same way (0xD5).
 */
final class OverrunStory {

    /* Windows' advice for 0xC4/0x51 is to turn on Special Pool to catch the write itself (reference
     * §1.1, [PT]); the story follows it. The faulting runs happen in forked JVMs because the fault
     * kills the JVM, as a special pool fault stops Windows: the JVM's hs_err file and PoolTrack's
     * slot table are what is left, the counterpart of the crash dump. */

    private static final long WAIT_SECONDS = 120;

    /** What a forked JVM left: its exit status, output, and fatal error log (null if it wrote none). */
    record Crash(int exit, String out, String err, long pid, Path hsErr) {}

    private final Path dir;
    private final StringBuilder text = new StringBuilder();
    private int step;

    private OverrunStory(Path dir) {
        this.dir = dir;
    }

    /**
     * Runs the story, keeping the forked JVMs' files in {@code dir}.
     *
     * @throws CommandException if a forked JVM cannot be started, or did not die as special pool makes it
     */
    static String run(Path dir) {
        OverrunStory story = new OverrunStory(dir);
        story.tailZone();
        story.specialPool("overrun", "0xD6: native code touched the guard page after the buffer");
        story.specialPool("use-after-free", "0xD5: native code touched a freed special pool page");
        return story.text.toString();
    }

    private void heading(String h) {
        if (step > 0) {
            text.append('\n');
        }
        step++;
        text.append("== ").append(step).append("/3  ").append(h).append("\n\n");
    }

    private void tailZone() {
        heading("verifier /flags 0x8 /driver " + OverrunDriver.NAME
                + ": Pool Tracking finds the overrun when the buffer is freed");
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking(OverrunDriver.NAME)
                .withResponse(Response.LOG)
                .withReportDirectory(dir));
        OverrunDriver plugin = new OverrunDriver(pool.load(OverrunDriver.NAME));
        MemorySegment record = plugin.fillRecord();
        text.append(String.format(
                "%s allocated %d bytes at %016x (tag %s); its native code wrote %d.%n",
                OverrunDriver.NAME,
                OverrunDriver.RECORD,
                record.address(),
                OverrunDriver.TAG,
                OverrunDriver.RECORD + OverrunDriver.TRAILER));
        plugin.release(record);
        List<Violation> raised = pool.violations();
        if (raised.isEmpty()) {
            throw new CommandException("the tail zone check raised nothing: the demo cannot go on");
        }
        text.append("At free the tail zone after the buffer was damaged:\n\n");
        text.append(AnalyzeReport.text(raised.getFirst()));
    }

    private void specialPool(String mode, String what) {
        heading("verifier /flags 0x9 /driver " + OverrunDriver.NAME + " (special pool), in a forked JVM: " + what);
        Crash crash;
        try {
            crash = fork(dir, mode);
        } catch (IOException e) {
            throw new CommandException("cannot run the forked JVM: " + e.getMessage(), e);
        }
        String printed = crash.out()
                .lines()
                .filter(l -> !l.startsWith("#") && !l.startsWith("["))
                .map(l -> "    " + l + "\n")
                .reduce("", String::concat);
        text.append("The JVM (pid ")
                .append(crash.pid())
                .append(") printed, before HotSpot's fatal error banner:\n")
                .append(printed);
        if (crash.hsErr() == null) {
            throw new CommandException("the forked JVM exited with status " + crash.exit()
                    + " and wrote no hs_err file; its stderr: " + crash.err().strip());
        }
        text.append("It died with exit status ")
                .append(crash.exit())
                .append(" and wrote ")
                .append(crash.hsErr())
                .append(".\n\n$ pooltrack analyze ")
                .append(crash.hsErr())
                .append("\n\n");
        text.append(FaultAnalysis.analyze(crash.hsErr(), null).text());
    }

    /**
     * Runs {@link OverrunDriver} in a new JVM with special pool on for it and {@code dir} as its working
     * and report directory, and waits for it to end. Mode {@code underrun} runs with Verify Start, the
     * others with Verify End.
     */
    static Crash fork(Path dir, String mode) throws IOException {
        Files.createDirectories(dir);
        Path settings = dir.resolve("overrun-" + mode + ".conf");
        SettingsFile.write(
                settings,
                VerifierSettings.none()
                        .withFlags(VerifierFlags.SPECIAL_POOL | VerifierFlags.POOL_TRACKING)
                        .withDrivers(Set.of(OverrunDriver.NAME))
                        .withReportDirectory(dir.toAbsolutePath())
                        .withSpecialPool(SpecialPoolSettings.defaults().withVerifyStart(mode.equals("underrun"))));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:-CreateCoredumpOnCrash",
                "-Dpooltrack.settings=" + settings.toAbsolutePath(),
                "-cp",
                System.getProperty("java.class.path"),
                OverrunDriver.class.getName(),
                mode));
        Path out = dir.resolve("overrun-" + mode + ".out");
        Path err = dir.resolve("overrun-" + mode + ".err");
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("the forked JVM did not end within " + WAIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the forked JVM", e);
        }
        Path hsErr = dir.resolve("hs_err_pid" + p.pid() + ".log");
        return new Crash(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8),
                p.pid(),
                Files.exists(hsErr) ? hsErr : null);
    }
}
