package example.cli;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A program without PoolTrack for the dynamic-attach test: keeps a direct buffer every 10 ms. */
public final class Ticker {

    static final List<Object> KEEP = new ArrayList<>();

    private Ticker() {}

    /** Prints "ticking", then allocates until {@code args[0]} exists (at most 60 s). */
    public static void main(String[] args) throws Exception {
        System.out.println("ticking");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(Path.of(args[0])) && System.nanoTime() < deadline) {
            tick();
            Thread.sleep(10);
        }
    }

    static void tick() {
        KEEP.add(ByteBuffer.allocateDirect(4096));
    }
}
