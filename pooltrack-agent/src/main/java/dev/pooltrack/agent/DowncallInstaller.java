package dev.pooltrack.agent;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.pooltrack.agent.advice.DowncallAdvice;
import dev.pooltrack.agent.boot.Downcalls;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.utility.JavaModule;

/**
 * Instruments {@code jdk.internal.foreign.abi.AbstractLinker} so that downcall handles to the C
 * allocator report to PoolTrack ({@link AllocatorDowncalls}). Runs once per JVM, after {@link
 * Installer}.
 *
 * <p>Not thread-safe: called under the agent's start lock. Loaded only after the boot jar is
 * appended, because it names {@link Downcalls}.
 */
final class DowncallInstaller {

    /* The hook (JDK 25): AbstractLinker.downcallHandle(MemorySegment, FunctionDescriptor,
     * Linker.Option...), the public method that every Linker.downcallHandle with an address reaches
     * (the platform linkers are AbstractLinker's subclasses and the method is final). The advice
     * replaces the handle it returns, after the JDK's own checks and cache: the cached unbound
     * handle stays as the JDK made it. The unbound form, downcallHandle(FunctionDescriptor, ...),
     * whose address is an argument of each call, is not instrumented: see docs/agent.md.
     *
     * The boot classes get two JDK-internal packages, opened and exported to their own module (the
     * boot loader's unnamed module) and to nothing else: jdk.internal.loader for dlsym(RTLD_DEFAULT)
     * and jdk.internal.foreign to read posix_memalign's out-parameter. */

    static final String LINKER = "jdk.internal.foreign.abi.AbstractLinker";

    private DowncallInstaller() {}

    /** Watches new downcall handles to the C allocator, unless the options turned it off. */
    static void install(Instrumentation inst, AgentRuntime runtime) {
        if (!runtime.options.downcalls()) {
            return;
        }
        long t0 = System.nanoTime();
        Module boot = Downcalls.class.getModule();
        inst.redefineModule(
                Object.class.getModule(),
                Set.of(),
                Map.of("jdk.internal.foreign", Set.of(boot)),
                Map.of("jdk.internal.loader", Set.of(boot)),
                Set.of(),
                Map.of());
        Class<?> linker;
        try {
            linker = Class.forName(LINKER, false, null);
        } catch (ClassNotFoundException e) {
            synchronized (Installer.ERRORS) {
                Installer.ERRORS.add(LINKER + ": not in this JDK");
            }
            return;
        }
        Downcalls.install(new AllocatorDowncalls(
                runtime, () -> Linker.nativeLinker().defaultLookup(), AllocatorDowncalls::rtldDefault));
        new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with((AgentBuilder.RedefinitionStrategy.DiscoveryStrategy) i -> List.of(List.of(linker)))
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                .ignore(nameStartsWith("net.bytebuddy.").or(nameStartsWith("dev.pooltrack.")))
                .with(new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onError(
                            String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable t) {
                        synchronized (Installer.ERRORS) {
                            Installer.ERRORS.add(typeName + ": " + t);
                        }
                    }
                })
                .type(named(LINKER))
                .transform((b, t, l, m, d) -> b.visit(Advice.to(DowncallAdvice.class)
                        .on(named("downcallHandle").and(takesArguments(3)).and(takesArgument(0, MemorySegment.class)))))
                .installOn(inst);
        if (Boolean.getBoolean("pooltrack.agent.debug")) {
            System.err.println(
                    "pooltrack-agent: downcall hooks installed in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
    }
}
