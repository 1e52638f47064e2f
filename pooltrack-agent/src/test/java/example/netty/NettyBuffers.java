package example.netty;

import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolTrack;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.List;

/**
 * A program that uses Netty's pooled and unpooled direct buffers, and prints PoolTrack's bytes for
 * the driver charged next to Netty's own accounting, at each step.
 */
public final class NettyBuffers {

    private NettyBuffers() {}

    /** {@code args[0]}: the driver whose {@code Jdwn} memory PoolTrack sums (verified by the agent's options). */
    public static void main(String[] args) {
        String driver = args[0];
        System.out.println("netty cleaner: " + cleaner());
        // One direct arena, 8 KiB pages, 4 MiB chunks, no thread caches: what is freed goes back at once.
        PooledByteBufAllocator pooled = new PooledByteBufAllocator(true, 0, 1, 8192, 9, 0, 0, false);
        List<ByteBuf> buffers = allocatePooled(pooled);
        print("pooled", driver, pooled);

        List<ByteBuf> unpooled = leakUnpooled();
        ByteBuf freed = Unpooled.directBuffer(7000);
        freed.release();
        print("unpooled", driver, pooled);

        buffers.forEach(ByteBuf::release);
        print("pooled released", driver, pooled);
        System.out.println("kept " + unpooled.size() + " unpooled buffers");
    }

    static List<ByteBuf> allocatePooled(PooledByteBufAllocator pooled) {
        List<ByteBuf> buffers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            buffers.add(pooled.directBuffer(64 * 1024));
        }
        buffers.add(pooled.directBuffer(5 << 20)); // bigger than a chunk: a block of its own
        return buffers;
    }

    static List<ByteBuf> leakUnpooled() {
        return List.of(Unpooled.directBuffer(3000), UnpooledByteBufAllocator.DEFAULT.directBuffer(5000));
    }

    private static void print(String step, String driver, PooledByteBufAllocator pooled) {
        long tracked = PoolTrack.system().outstanding(driver).stream()
                .filter(a -> a.tag().text().equals("Jdwn"))
                .mapToLong(OutstandingAllocation::length)
                .sum();
        System.out.println(step + ": pooled usedDirectMemory " + pooled.metric().usedDirectMemory()
                + ", PlatformDependent.usedDirectMemory " + PlatformDependent.usedDirectMemory()
                + ", PoolTrack Jdwn " + tracked);
        System.out.println(step + " sites: "
                + PoolTrack.system().outstanding(driver).stream()
                        .filter(a -> a.tag().text().equals("Jdwn"))
                        .map(a -> a.callSite().methodName() + " " + a.length())
                        .sorted()
                        .toList());
    }

    private static String cleaner() {
        try {
            var f = PlatformDependent.class.getDeclaredField("CLEANER");
            f.setAccessible(true);
            return f.get(null).getClass().getSimpleName();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "unknown (" + e + ")";
        }
    }
}
