package example.natplugin;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** A plugin (natplugin.jar) that allocates with malloc through a downcall: it leaks 2468 bytes and frees 1357. */
@SuppressWarnings("restricted")
public final class NativePlugin {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MALLOC = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("malloc"),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final MethodHandle FREE = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("free"), FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG));

    private NativePlugin() {}

    /** Starts the plugin. */
    public static void start() throws Throwable {
        long kept = (long) MALLOC.invokeExact(2468L);
        long freed = (long) MALLOC.invokeExact(1357L);
        FREE.invokeExact(freed);
        if (kept == 0) {
            throw new OutOfMemoryError("malloc");
        }
    }
}
