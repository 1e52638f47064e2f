package example.cli;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A program for the CLI's agent tests: leaks two direct buffers, says so, and waits for a file. */
public final class Holder {

    static final List<Object> KEEP = new ArrayList<>();

    private Holder() {}

    /** Leaks, prints "leaked", waits up to 60 s for {@code args[0]} to exist. */
    public static void main(String[] args) throws Exception {
        keepBuffers();
        System.out.println("leaked");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (args.length > 0 && !Files.exists(Path.of(args[0])) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    static void keepBuffers() {
        KEEP.add(ByteBuffer.allocateDirect(12345));
        KEEP.add(ByteBuffer.allocateDirect(12345));
    }
}
