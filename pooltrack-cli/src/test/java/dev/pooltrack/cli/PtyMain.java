package dev.pooltrack.cli;

import dev.pooltrack.PoolType;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code pooltrack ARGS} against a {@link TestPools} pool in this JVM, for {@link TerminalIT} to run
 * on a pseudo-terminal. For {@code poolmon}, storage-plugin allocates a Tick block every 100 ms so
 * the table changes between refreshes. Prints whether the terminal's settings are what they were
 * before, and the exit status, then exits with it.
 */
public final class PtyMain {

    private PtyMain() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        String before = stty();
        TestPools pools = new TestPools();
        if (args.length > 0 && args[0].equals("poolmon")) {
            Thread ticker = new Thread(() -> {
                while (true) {
                    pools.allocate(pools.storage, PoolType.NON_PAGED, 32, "Tick", 1);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            ticker.setDaemon(true);
            ticker.start();
        }
        int status = PoolTrackCommand.commandLine(pools.sources(), System.in).execute(args);
        System.out.println("terminal restored: " + before.equals(stty()));
        System.out.println("exit status: " + status);
        System.exit(status);
    }

    private static String stty() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("stty", "-g")
                .redirectInput(new File("/dev/tty"))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return out;
    }
}
