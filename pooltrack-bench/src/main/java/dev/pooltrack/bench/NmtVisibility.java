package dev.pooltrack.bench;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * What HotSpot Native Memory Tracking sees of Java's off-heap paths: allocates 64 MiB each through
 * {@code ByteBuffer.allocateDirect} and through {@code malloc} called by an FFM downcall, and prints
 * NMT's "Other" category (where {@code Unsafe_AllocateMemory0} charges) and its total malloc after
 * each step, read from {@code VM.native_memory summary} in this JVM.
 *
 * <p>Not thread-safe; a command-line program. Run, from the repository root:
 *
 * <pre>{@code
 * java -XX:NativeMemoryTracking=summary --enable-native-access=ALL-UNNAMED \
 *     -cp pooltrack-bench/target/benchmarks.jar dev.pooltrack.bench.NmtVisibility
 * }</pre>
 */
public final class NmtVisibility {

    static final int MIB = 1 << 20;
    static final int BLOCKS = 64;

    private static final Pattern OTHER = Pattern.compile("-\\s+Other \\(reserved=(\\d+)KB");
    private static final Pattern MALLOC_TOTAL = Pattern.compile("malloc: (\\d+)KB");

    private NmtVisibility() {}

    /** Allocates through both paths and prints NMT's view after each. */
    @SuppressWarnings("restricted") // the downcall to malloc is the point
    public static void main(String[] args) throws Throwable {
        String before = summary();
        if (before.contains("not enabled")) {
            System.err.println("run with -XX:NativeMemoryTracking=summary: " + before.strip());
            System.exit(1);
        }
        print("start", before);

        List<ByteBuffer> direct = new ArrayList<>();
        for (int i = 0; i < BLOCKS; i++) {
            direct.add(ByteBuffer.allocateDirect(MIB));
        }
        print("after 64 MiB of ByteBuffer.allocateDirect", summary());

        Linker linker = Linker.nativeLinker();
        MethodHandle malloc = linker.downcallHandle(
                linker.defaultLookup().findOrThrow("malloc"),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        MethodHandle free = linker.downcallHandle(
                linker.defaultLookup().findOrThrow("free"), FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG));
        long[] blocks = new long[BLOCKS];
        for (int i = 0; i < BLOCKS; i++) {
            blocks[i] = (long) malloc.invokeExact((long) MIB);
        }
        print("after 64 MiB more of malloc through an FFM downcall", summary());

        for (long b : blocks) {
            free.invokeExact(b);
        }
        System.out.println("direct buffers still held: " + direct.size());
    }

    private static void print(String step, String summary) {
        System.out.printf(
                "%-55s NMT Other = %s KB, NMT malloc total = %s KB%n",
                step, first(OTHER, summary), first(MALLOC_TOTAL, summary));
    }

    private static String first(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : "?";
    }

    private static String summary() throws JMException {
        return (String) ManagementFactory.getPlatformMBeanServer()
                .invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"),
                        "vmNativeMemory",
                        new Object[] {new String[] {"summary"}},
                        new String[] {String[].class.getName()});
    }
}
