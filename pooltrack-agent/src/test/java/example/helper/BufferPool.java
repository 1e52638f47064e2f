package example.helper;

import java.nio.ByteBuffer;

/** A helper library (helper.jar): the memory it allocates is charged to its caller. */
public final class BufferPool {

    private BufferPool() {}

    /** A new direct buffer. */
    public static ByteBuffer acquire(int bytes) {
        return allocate(bytes);
    }

    private static ByteBuffer allocate(int bytes) {
        return ByteBuffer.allocateDirect(bytes);
    }
}
