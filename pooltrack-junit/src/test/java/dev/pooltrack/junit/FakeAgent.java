package dev.pooltrack.junit;

import dev.pooltrack.CallSite;
import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import dev.pooltrack.spi.AllocationObserver;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What PoolTrack's agent does when code calls {@code ByteBuffer.allocateDirect}, played without the
 * agent: the buffer is reported to the system pool, charged to the thread's current driver if there
 * is one ({@link AllocationObserver#currentDriver()}) and to the allocating jar otherwise, with the
 * caller as its call site.
 *
 * <p>Creating it makes {@link AllocationObserver#systemPoolObserved()} true for the rest of the JVM,
 * as the agent does: tests that need the class pool ask for it by configuration parameter.
 */
final class FakeAgent {

    static final Tag JDBB = Tag.of("Jdbb");
    static final String JAR = "test-classes";

    private static final AllocationObserver OBSERVER = AllocationObserver.of(PoolTrack.system());
    private static final StackWalker WALKER = StackWalker.getInstance();
    /* Buffers stay reachable, so their memory is not handed out again while the system pool may
     * still hold a record of its address. */
    private static final Set<ByteBuffer> KEPT = ConcurrentHashMap.newKeySet();

    private FakeAgent() {}

    static ByteBuffer allocateDirect(int size) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(size);
        KEPT.add(buffer);
        Driver driver = OBSERVER.currentDriver();
        if (driver == null) {
            driver = OBSERVER.driver(JAR);
        }
        CallSite caller = WALKER.walk(frames -> frames.skip(1)
                .findFirst()
                .map(f -> new CallSite(
                        f.getClassName(), f.getMethodName(), f.getFileName(), f.getLineNumber(), f.getByteCodeIndex()))
                .orElseThrow());
        OBSERVER.allocated(
                driver,
                PoolType.NON_PAGED.code(),
                MemorySegment.ofBuffer(buffer).address(),
                size,
                JDBB.value(),
                OBSERVER.callSite(caller));
        return buffer;
    }

    static void free(ByteBuffer buffer) {
        OBSERVER.freed(MemorySegment.ofBuffer(buffer).address());
    }
}
