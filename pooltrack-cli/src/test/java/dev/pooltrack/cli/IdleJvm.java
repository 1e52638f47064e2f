package dev.pooltrack.cli;

import java.io.IOException;

/**
 * A JVM without PoolTrack for the integration tests: prints {@code ready <pid>} and waits until its
 * stdin ends.
 */
public final class IdleJvm {

    private IdleJvm() {}

    /** Prints {@code ready <pid>} and waits for the end of stdin. */
    public static void main(String[] args) throws IOException {
        System.out.println("ready " + ProcessHandle.current().pid());
        System.out.flush();
        while (System.in.read() >= 0) {
            // waits
        }
    }
}
