package example.natives;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.pooltrack.PoolTrack;
import dev.pooltrack.Tag;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A program that makes malloc and free downcall handles, says {@code ready}, waits until the file
 * {@code args[0]} exists (the agent is attached meanwhile), then makes them again and allocates
 * through both pairs.
 */
@SuppressWarnings("restricted")
public final class LateAttach {

    private static final FunctionDescriptor MALLOC = FunctionDescriptor.of(JAVA_LONG, JAVA_LONG);
    private static final FunctionDescriptor FREE = FunctionDescriptor.ofVoid(JAVA_LONG);

    private LateAttach() {}

    /** Runs the program. */
    public static void main(String[] args) throws Throwable {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        MethodHandle earlyMalloc = linker.downcallHandle(libc.findOrThrow("malloc"), MALLOC);
        MethodHandle earlyFree = linker.downcallHandle(libc.findOrThrow("free"), FREE);
        System.out.println("ready");
        Path go = Path.of(args[0]);
        while (!Files.exists(go)) {
            Thread.sleep(10);
        }
        MethodHandle lateMalloc = linker.downcallHandle(libc.findOrThrow("malloc"), MALLOC);
        MethodHandle lateFree = linker.downcallHandle(libc.findOrThrow("free"), FREE);
        long before = PoolTrack.system().snapshot().tag(Tag.of("Jdwn")).nonPagedBytes();

        long unseen = (long) earlyMalloc.invokeExact(1111L);
        long leaked = afterAttach(lateMalloc);
        long freed = (long) lateMalloc.invokeExact(3333L);
        lateFree.invokeExact(freed);
        long unknown = (long) earlyMalloc.invokeExact(4444L);
        lateFree.invokeExact(unknown); // a free PoolTrack never saw allocated: ignored
        earlyFree.invokeExact(unseen);

        long after = PoolTrack.system().snapshot().tag(Tag.of("Jdwn")).nonPagedBytes();
        System.out.println("Jdwn bytes: " + (after - before) + ", leaked at 0x" + Long.toHexString(leaked));
    }

    static long afterAttach(MethodHandle malloc) throws Throwable {
        return (long) malloc.invokeExact(2222L);
    }
}
