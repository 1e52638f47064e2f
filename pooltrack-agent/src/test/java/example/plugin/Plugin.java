package example.plugin;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A plugin (plugin.jar) loaded by its own class loader: it leaks 1234 + 4321 bytes and frees the rest. */
public final class Plugin {

    static final List<Object> KEEP = new ArrayList<>();

    private Plugin() {}

    /** Starts the plugin. */
    public static void start() {
        KEEP.add(ByteBuffer.allocateDirect(1234));
        Arena.global().allocate(4321);
        try (Arena arena = Arena.ofConfined()) {
            arena.allocate(999);
        }
    }
}
