package example.host;

import example.beta.Beta;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The target of the attach test: it runs without the agent, so it names no PoolTrack class. Says it
 * is ready, waits for the file {@code args[0]} to exist, then leaks through beta.jar.
 */
public final class Waiter {

    private Waiter() {}

    /** Runs the scenario. */
    public static void main(String[] args) throws Exception {
        Path go = Path.of(args[0]);
        Beta.leakMany(1, 700); // before the agent: never seen
        System.out.println("ready " + ProcessHandle.current().pid());
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(go) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Beta.leakMany(3, 3000);
        System.out.println("done");
    }
}
