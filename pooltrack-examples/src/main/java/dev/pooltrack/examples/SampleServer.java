package dev.pooltrack.examples;

import dev.pooltrack.PoolTrack;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A long-running JVM with the sample drivers loaded into the JVM's pool: what the {@code
 * pooltrack} command is tried and tested against.
 *
 * <pre>
 * java -cp pooltrack-examples.jar:pooltrack-core.jar [-Dpooltrack.settings=FILE] \
 *     dev.pooltrack.examples.SampleServer [--rate N] [--sessions N]
 * </pre>
 *
 * <p>It uses {@link PoolTrack#system()}, so the settings file decides which drivers are verified
 * and the pool's MBean is registered. It loads {@value StorageDriver#NAME} and {@value
 * NetworkDriver#NAME} ({@link SampleWorkload}) and {@value SessionPlugin#NAME} ({@link
 * SessionPlugin}), opens {@code --sessions} sessions (default 64), prints {@code ready <pid>} on
 * stdout, then serves {@code --rate} requests a second (default 50; each request is one storage
 * read, one packet and one session) until it is killed or reads the line {@code quit} on stdin.
 * On {@code quit} it unloads the three drivers (storage-plugin's unload check then reports its leak
 * under the configured response) and exits with status 0. A bad option exits with status 1.
 *
 * <p>{@code --sessions 1000000} keeps a million allocations of {@value SessionPlugin#NAME}
 * outstanding; with that driver verified it is the target of the CLI's measurements.
 */
public final class SampleServer {

    /* The request loop runs on the main thread at a fixed rate (deadline += period, so a slow
     * request does not shift the schedule) and parks between requests: the JVM is mostly idle,
     * which keeps a CPU measurement of something polling it readable. stdin is read on a daemon
     * thread; end of input does not stop the server, so it can run with stdin closed. */

    private static final int DEFAULT_RATE = 50;
    private static final int DEFAULT_SESSIONS = 64;

    private static volatile boolean quit;

    private SampleServer() {}

    /** Runs the server; see the class description for the options. */
    public static void main(String[] args) {
        int rate = DEFAULT_RATE;
        int sessions = DEFAULT_SESSIONS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rate" -> rate = intOption(args, ++i, "--rate", 1, 100_000);
                case "--sessions" -> sessions = intOption(args, ++i, "--sessions", 1, 50_000_000);
                default -> fail("unknown option '" + args[i] + "': use --rate N, --sessions N");
            }
        }

        PoolTrack pool = PoolTrack.system();
        SampleWorkload workload = SampleWorkload.load(pool);
        SessionPlugin sessionPlugin = SessionPlugin.load(pool, sessions);
        long client = 0;
        while (client < sessions) {
            sessionPlugin.open(++client);
        }
        Thread main = Thread.currentThread();
        Thread stdin = Thread.ofPlatform().daemon().name("SampleServer stdin").start(() -> readStdin(main));
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();

        long period = TimeUnit.SECONDS.toNanos(1) / rate;
        long deadline = System.nanoTime();
        long requests = 0;
        while (!quit) {
            workload.run(1);
            sessionPlugin.open(++client);
            requests++;
            deadline += period;
            long wait;
            while (!quit && (wait = deadline - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
        }
        stdin.interrupt();

        sessionPlugin.close();
        workload.network().close();
        workload.storage().close();
        System.out.println("stopped after " + requests + " requests");
        System.out.flush();
    }

    private static void readStdin(Thread main) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.strip().equals("quit")) {
                    quit = true;
                    LockSupport.unpark(main);
                    return;
                }
            }
        } catch (IOException e) {
            // stdin is gone: keep serving until killed
        }
    }

    private static int intOption(String[] args, int i, String name, int min, int max) {
        if (i >= args.length) {
            fail(name + " needs a value");
        }
        try {
            int v = Integer.parseInt(args[i]);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        fail("bad value '" + args[i] + "' for " + name + ": give a number from " + min + " to " + max);
        return 0;
    }

    private static void fail(String message) {
        System.err.println("SampleServer: " + message);
        System.exit(1);
    }
}
