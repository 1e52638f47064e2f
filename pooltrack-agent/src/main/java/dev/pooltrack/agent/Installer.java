package dev.pooltrack.agent;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.pooltrack.agent.advice.JdkAdvice;
import dev.pooltrack.agent.boot.Hooks;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

/**
 * Instruments the JDK's native allocation paths with {@link JdkAdvice} and installs the call-site
 * injector for application classes. Runs once per JVM.
 *
 * <p>Not thread-safe: {@link PoolTrackAgent} calls it under its lock. Loaded only after the boot jar
 * is appended, because it names {@link Hooks}.
 */
final class Installer {

    /* The JDK classes and members instrumented, as of JDK 25 (reference java-toolchain.md §4):
     *   jdk.internal.misc.Unsafe              allocateMemory(J), reallocateMemory(JJ), freeMemory(J)
     *   java.nio.ByteBuffer                   allocateDirect(I)                 path mark: direct buffer
     *   jdk.internal.foreign.SegmentFactories allocateNativeSegment(JJ...ZZ)    path mark: FFM segment
     *   sun.nio.ch.FileChannelImpl$Unmapper   <init>(JJJLjava/io/FileDescriptor;I), unmap()
     *   java.net.URLClassLoader               close()
     * sun.misc.Unsafe delegates to the internal Unsafe, DirectByteBuffer's Deallocator and the FFM
     * cleanup (SegmentFactories$1.cleanup) both free through Unsafe.freeMemory: one choke point each
     * way, so nothing is counted twice. ByteBuddy's default ignore matcher skips every boot class and
     * must be replaced (pitfall 11); its Nexus would use sun.misc.Unsafe (pitfall 9). */

    private Installer() {}

    /** Problems ByteBuddy reported while transforming JDK classes. */
    static final List<String> ERRORS = new ArrayList<>();

    /** Instruments the JDK and starts injecting call sites into application classes. */
    static void install(Instrumentation inst, AgentRuntime runtime, boolean injectSites) {
        Class<?> hooks = Hooks.class;
        Module javaBase = Object.class.getModule();
        inst.redefineModule(javaBase, Set.of(hooks.getModule()), Map.of(), Map.of(), Set.of(), Map.of());

        if (System.getProperty("net.bytebuddy.nexus.disabled") == null) {
            System.setProperty("net.bytebuddy.nexus.disabled", "true");
        }
        Hooks.install(runtime);
        for (String name : INSTRUMENTED) {
            try {
                Class.forName(name, false, null);
            } catch (ClassNotFoundException e) {
                ERRORS.add(name + ": not in this JDK");
            }
        }
        new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(new LoadedTargets())
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                .ignore(nameStartsWith("net.bytebuddy.").or(nameStartsWith("dev.pooltrack.")))
                .with(new ErrorListener())
                .type(named("jdk.internal.misc.Unsafe"))
                .transform((b, t, l, m, d) -> b.visit(Advice.to(JdkAdvice.AllocateMemory.class)
                                .on(named("allocateMemory").and(takesArguments(long.class))))
                        .visit(Advice.to(JdkAdvice.ReallocateMemory.class)
                                .on(named("reallocateMemory").and(takesArguments(long.class, long.class))))
                        .visit(Advice.to(JdkAdvice.FreeMemory.class)
                                .on(named("freeMemory").and(takesArguments(long.class)))))
                .type(named("java.nio.ByteBuffer"))
                .transform((b, t, l, m, d) -> b.visit(Advice.to(JdkAdvice.AllocateDirect.class)
                        .on(named("allocateDirect").and(takesArguments(int.class)))))
                .type(named("jdk.internal.foreign.SegmentFactories"))
                .transform((b, t, l, m, d) -> b.visit(Advice.to(JdkAdvice.AllocateNativeSegment.class)
                        .on(named("allocateNativeSegment")
                                .and(takesArguments(5))
                                .and(takesArgument(0, long.class)))))
                .type(named("sun.nio.ch.FileChannelImpl$Unmapper"))
                .transform((b, t, l, m, d) -> b.visit(Advice.to(JdkAdvice.Mapped.class)
                                .on(isConstructor().and(takesArguments(5))))
                        .visit(Advice.to(JdkAdvice.Unmap.class)
                                .on(named("unmap").and(takesArguments(0)))))
                .type(named("java.net.URLClassLoader"))
                .transform((b, t, l, m, d) -> b.visit(
                        Advice.to(JdkAdvice.LoaderClose.class).on(named("close").and(takesArguments(0)))))
                .installOn(inst);
        if (injectSites) {
            inst.addTransformer(new CallSiteInjector(runtime), false);
        }
        DowncallInstaller.install(inst, runtime);
    }

    private static final Set<String> INSTRUMENTED = Set.of(
            "jdk.internal.misc.Unsafe",
            "java.nio.ByteBuffer",
            "jdk.internal.foreign.SegmentFactories",
            "sun.nio.ch.FileChannelImpl$Unmapper",
            "java.net.URLClassLoader");

    /* The classes to instrument are loaded (not initialised) before ByteBuddy installs, then
     * retransformed; ByteBuddy would otherwise consider every loaded class. Loading them first matters:
     * a class that loads while ByteBuddy is transforming on the same thread (ByteBuddy itself loads
     * URLClassLoader) is skipped by its circularity lock and would never be instrumented. */
    private static final class LoadedTargets implements AgentBuilder.RedefinitionStrategy.DiscoveryStrategy {
        @Override
        public Iterable<Iterable<Class<?>>> resolve(Instrumentation inst) {
            List<Class<?>> out = new ArrayList<>();
            for (Class<?> c : inst.getAllLoadedClasses()) {
                if (INSTRUMENTED.contains(c.getName())) {
                    out.add(c);
                }
            }
            return List.of(out);
        }
    }

    private static final class ErrorListener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onError(
                String typeName, ClassLoader classLoader, JavaModule module, boolean loaded, Throwable throwable) {
            synchronized (ERRORS) {
                ERRORS.add(typeName + ": " + throwable);
            }
        }

        @Override
        public void onTransformation(
                TypeDescription typeDescription,
                ClassLoader classLoader,
                JavaModule module,
                boolean loaded,
                DynamicType dynamicType) {
            if (Boolean.getBoolean("pooltrack.agent.debug")) {
                System.err.println("pooltrack-agent: instrumented " + typeDescription.getName());
            }
        }
    }
}
