package example.host;

import dev.pooltrack.DriverStatus;
import dev.pooltrack.DriverVerifierError;
import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.examples.SampleWorkload;
import example.alpha.Alpha;
import example.beta.Beta;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** The test host: runs one scenario of the agent's integration tests, named by its first argument. */
public final class Main {

    private Main() {}

    /** Runs {@code args[0]} with the rest of the arguments. */
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "paths" -> paths(Path.of(args[1]));
            case "plugin" -> plugin(Path.of(args[1]), args.length > 2 ? args[2] : "example.plugin.Plugin");
            case "collect" -> collect(Path.of(args[1]));
            case "unique" -> {
                SampleWorkload.load(PoolTrack.system()).run(200);
                Beta.leakMany(2, 1500);
                Beta.run();
            }
            case "plain" -> Beta.leakMany(2, 1500);
            case "counted" -> counted();
            case "natives" -> {
                try {
                    example.natives.Natives.run();
                } catch (Throwable t) {
                    throw new IllegalStateException("a downcall failed", t);
                }
            }
            case "runas" -> {
                var request = PoolTrack.system().load("request-42");
                PoolTrack.runAs(request, () -> Beta.leakMany(1, 4242));
                Beta.leakMany(1, 2424);
            }
            case "jfr" -> {
                Beta.leakMany(2, 1500);
                Beta.churn(1);
                Thread.sleep(1500); // a period of the per-tag usage event
            }
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
        System.out.println("done");
    }

    /**
     * Each JDK path under the agent's per-tag counters alone: what is held, what is freed on the
     * allocating thread and what another thread frees; prints the outstanding bytes and allocations of
     * each tag, relative to the start.
     */
    static void counted() throws Exception {
        PoolTrack pool = PoolTrack.system();
        var before = pool.snapshot();
        example.alpha.UnsafeHandles unsafe = new example.alpha.UnsafeHandles();
        try (java.lang.foreign.Arena confined = java.lang.foreign.Arena.ofConfined()) {
            confined.allocate(1000);
            confined.allocate(24);
        }
        java.lang.foreign.Arena shared = java.lang.foreign.Arena.ofShared();
        HELD.add(shared.allocate(3000));
        HELD.add(java.nio.ByteBuffer.allocateDirect(5000));
        unsafe.freeMemory(unsafe.allocateMemory(700));
        HELD.add(unsafe.allocateMemory(300));
        // 2000 blocks allocated here, freed by another thread
        java.util.concurrent.BlockingQueue<Long> handoff = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread freer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < 2000; i++) {
                    unsafe.freeMemory(handoff.take());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 2000; i++) {
            handoff.add(unsafe.allocateMemory(64 + i));
        }
        freer.join();
        var now = pool.snapshot();
        for (String tag : List.of("Jffm", "Jdbb", "Jusf")) {
            var t = dev.pooltrack.Tag.of(tag);
            System.out.println(tag + " outstanding: "
                    + (now.tag(t).nonPagedBytes() - before.tag(t).nonPagedBytes()) + " bytes in "
                    + (now.tag(t).nonPagedOutstanding() - before.tag(t).nonPagedOutstanding()) + " allocations");
        }
        System.out.println("drivers verified: "
                + pool.drivers().stream()
                        .filter(dev.pooltrack.Driver::isVerified)
                        .count());
    }

    private static final List<Object> HELD = new java.util.ArrayList<>();

    /** Every path of alpha.jar, then beta.jar; waits until the GC freed what alpha dropped. */
    static void paths(Path dir) throws Exception {
        Path file = dir.resolve("mapped.bin");
        Files.write(file, new byte[16384]);
        List<WeakReference<Object>> dropped = Alpha.run(file);
        Beta.run();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline && !(allCleared(dropped) && tempsFreed())) {
            System.gc();
            Thread.sleep(50);
        }
        System.out.println("temporaries freed: " + tempsFreed());
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName agent = new ObjectName("dev.pooltrack:type=Agent");
        long walks = (Long) jmx.getAttribute(agent, "StackWalks");
        Beta.churn(100);
        System.out.println("injected sites: " + jmx.getAttribute(agent, "InjectedCallSites"));
        System.out.println(
                "stack walks for 100 injected allocations: " + ((Long) jmx.getAttribute(agent, "StackWalks") - walks));
        System.out.println(jmx.invoke(agent, "allocationLog", new Object[] {""}, new String[] {"java.lang.String"}));
    }

    private static boolean allCleared(List<WeakReference<Object>> refs) {
        return refs.stream().allMatch(r -> r.get() == null);
    }

    private static boolean tempsFreed() {
        return PoolTrack.system().outstanding("alpha.jar").stream()
                .mapToLong(OutstandingAllocation::length)
                .noneMatch(n -> n == 1000 || n == 444 || n == 7000);
    }

    /** A plugin loaded by its own loader leaks, and its loader closes. */
    static void plugin(Path jar, String pluginClass) throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, Main.class.getClassLoader());
        loader.loadClass(pluginClass).getMethod("start").invoke(null);
        try {
            loader.close();
            System.out.println("closed");
        } catch (DriverVerifierError e) {
            System.out.println("caught " + e.violation().summary());
        }
    }

    /** A plugin's loader is dropped without closing; waits until the GC collected it. */
    static void collect(Path jar) throws Exception {
        startAndDrop(jar);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline
                && PoolTrack.system().driver("plugin.jar").status() != DriverStatus.UNLOADED) {
            System.gc();
            Thread.sleep(50);
        }
        System.out.println(
                "plugin.jar " + PoolTrack.system().driver("plugin.jar").status().displayName());
    }

    private static void startAndDrop(Path jar) throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, Main.class.getClassLoader());
        loader.loadClass("example.plugin.Plugin").getMethod("start").invoke(null);
    }
}
