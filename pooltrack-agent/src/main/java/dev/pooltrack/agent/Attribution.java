package dev.pooltrack.agent;

import dev.pooltrack.CallSite;
import dev.pooltrack.Tag;
import dev.pooltrack.spi.AllocationObserver;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which driver a class belongs to, and who called an allocation: the agent's counterpart of Windows
 * charging pool to the driver whose code called the allocator (IoAllocateIrp's memory is charged to
 * the driver that called it, not to the I/O manager).
 *
 * <p>Thread-safe. Each class is classified once ({@link ClassValue}); a stack walk then costs a
 * lookup per frame.
 */
final class Attribution {

    /* A frame is the JDK's when its class has the boot or platform loader; PoolTrack's own when it is
     * in the core's or the agent's packages (the examples and a user's dev.pooltrack.x code are not);
     * a helper's when the options list its package or jar. The caller is the first frame that is none
     * of these. With no such frame (a JDK thread, a helper's own thread), a helper frame is charged to
     * its jar, and otherwise the allocation is the JDK's own, charged to the module of the JDK frame
     * closest to the outside (java.base for most). */

    /** What a class is, for attribution. */
    enum Kind {
        JDK,
        POOLTRACK,
        HELPER,
        DRIVER
    }

    /**
     * A class's classification.
     *
     * @param kind what the class is
     * @param driver the driver the class belongs to (its jar, module or classes folder)
     * @param ruleTag the tag the options' rules give the class's allocations, or 0
     * @param loader the state of the class's loader, or {@code null} for loaders that never close
     */
    record Origin(Kind kind, DriverRef driver, int ruleTag, LoaderWatch.LoaderState loader) {}

    /**
     * The calling code of an allocation.
     *
     * @param origin the classification of the caller's class
     * @param site the caller's frame, or {@code null} when unknown
     */
    record Caller(Origin origin, CallSite site) {}

    private static final Set<String> CORE_PACKAGES =
            Set.of("dev.pooltrack", "dev.pooltrack.internal", "dev.pooltrack.spi", "dev.pooltrack.report");

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private final List<String> helperPackages;
    private final Set<String> helperJars;
    private final TagRules rules;
    private final LoaderWatch loaders;
    private final Function<String, DriverRef> refs;

    private final ClassValue<Origin> origins = new ClassValue<>() {
        @Override
        protected Origin computeValue(Class<?> type) {
            return classify(type);
        }
    };

    Attribution(List<String> helpers, TagRules rules, LoaderWatch loaders, Function<String, DriverRef> refs) {
        this.refs = refs;
        this.helperPackages = helpers.stream().filter(h -> !h.endsWith(".jar")).toList();
        this.helperJars = Set.copyOf(helpers.stream()
                .filter(h -> h.endsWith(".jar"))
                .map(AgentOptions::driverName)
                .toList());
        this.rules = rules;
        this.loaders = loaders;
    }

    /** The classification of {@code type}. */
    Origin origin(Class<?> type) {
        return origins.get(type);
    }

    /** Whether a class that is about to be defined is application code: not the JDK's, PoolTrack's or a helper's. */
    boolean isDriverCode(String binaryName, ClassLoader loader, ProtectionDomain domain) {
        if (isJdkLoader(loader) || isPoolTrack(binaryName) || isHelperPackage(binaryName)) {
            return false;
        }
        String driver = driverName(domain, null);
        return driver == null || !helperJars.contains(driver);
    }

    /** The driver name of a class about to be defined. */
    String driverOf(ProtectionDomain domain, String binaryName) {
        String name = driverName(domain, null);
        return name != null ? name : fallbackName(binaryName);
    }

    /** The tag the rules give {@code binaryName}, or 0. */
    int ruleTag(String binaryName) {
        return rules.tagOf(binaryName);
    }

    private final java.util.concurrent.atomic.LongAdder walks = new java.util.concurrent.atomic.LongAdder();

    /** How many stack walks attributed an allocation. */
    long walks() {
        return walks.sum();
    }

    /** The caller of the allocation in progress on this thread. */
    Caller caller() {
        walks.increment();
        return WALKER.walk(frames -> {
            StackWalker.StackFrame helper = null;
            Origin helperOrigin = null;
            String jdkModule = null;
            StackWalker.StackFrame jdkCaller = null;
            for (var it = frames.iterator(); it.hasNext(); ) {
                StackWalker.StackFrame f = it.next();
                Origin o = origins.get(f.getDeclaringClass());
                switch (o.kind()) {
                    case DRIVER -> {
                        return new Caller(o, site(f));
                    }
                    case HELPER -> {
                        if (helper == null) {
                            helper = f;
                            helperOrigin = o;
                        }
                    }
                    case JDK -> {
                        jdkModule = o.driver().name;
                        if (jdkCaller == null && !isAllocationMachinery(f.getClassName())) {
                            jdkCaller = f;
                        }
                    }
                    case POOLTRACK -> {}
                }
            }
            if (helper != null) {
                return new Caller(helperOrigin, site(helper));
            }
            return new Caller(
                    jdkOrigin(jdkModule == null ? "java.base" : jdkModule), jdkCaller == null ? null : site(jdkCaller));
        });
    }

    /* The JDK classes an allocation passes through on its way to the allocator: the JDK code that
     * allocated is the first frame after them. */
    private static boolean isAllocationMachinery(String className) {
        return className.equals("jdk.internal.misc.Unsafe")
                || className.equals("sun.misc.Unsafe")
                || className.startsWith("java.nio.")
                || className.startsWith("jdk.internal.foreign.")
                || className.startsWith("java.lang.foreign.")
                || className.startsWith("sun.nio.ch.FileChannelImpl");
    }

    private static CallSite site(StackWalker.StackFrame f) {
        return AllocationObserver.callSiteOf(f);
    }

    private final Map<String, Origin> jdkOrigins = new java.util.concurrent.ConcurrentHashMap<>();

    private Origin jdkOrigin(String module) {
        return jdkOrigins.computeIfAbsent(module, m -> new Origin(Kind.JDK, refs.apply(m), 0, null));
    }

    private Origin classify(Class<?> type) {
        String name = type.getName();
        ClassLoader loader = type.getClassLoader();
        if (isJdkLoader(loader)) {
            Module m = type.getModule();
            return jdkOrigin(m.isNamed() ? m.getName() : "java.base");
        }
        if (isPoolTrack(name)) {
            return new Origin(Kind.POOLTRACK, refs.apply("pooltrack"), 0, null);
        }
        String driver = driverName(type.getProtectionDomain(), type.getModule());
        if (driver == null) {
            driver = fallbackName(name);
        }
        Kind kind = isHelperPackage(name) || helperJars.contains(driver) ? Kind.HELPER : Kind.DRIVER;
        LoaderWatch.LoaderState state = loaders.stateOf(loader, driver);
        return new Origin(kind, refs.apply(driver), rules.tagOf(name), state);
    }

    static boolean isJdkLoader(ClassLoader loader) {
        return loader == null || loader == ClassLoader.getPlatformClassLoader();
    }

    static boolean isPoolTrack(String binaryName) {
        if (binaryName.startsWith("dev.pooltrack.agent.")) {
            return true;
        }
        int dot = binaryName.lastIndexOf('.');
        return dot > 0 && CORE_PACKAGES.contains(binaryName.substring(0, dot));
    }

    private boolean isHelperPackage(String binaryName) {
        for (String p : helperPackages) {
            if (binaryName.startsWith(p)
                    && (binaryName.length() == p.length()
                            || binaryName.charAt(p.length()) == '.'
                            || binaryName.charAt(p.length()) == '$')) {
                return true;
            }
        }
        return false;
    }

    /* Jar: its file name. Folder: its path relative to the working directory when inside it, with a
     * trailing slash (target/classes/). A named module without a code source (a jlink image): the
     * module's name. */
    static String driverName(ProtectionDomain domain, Module module) {
        CodeSource cs = domain == null ? null : domain.getCodeSource();
        URL url = cs == null ? null : cs.getLocation();
        if (url != null) {
            try {
                if ("file".equals(url.getProtocol())) {
                    Path p = Path.of(url.toURI());
                    String file = p.getFileName() == null
                            ? p.toString()
                            : p.getFileName().toString();
                    if (file.endsWith(".jar") || file.endsWith(".zip")) {
                        return file;
                    }
                    Path cwd = Path.of("").toAbsolutePath();
                    Path shown = p.startsWith(cwd) && !p.equals(cwd) ? cwd.relativize(p) : p;
                    return shown.toString().replace('\\', '/') + "/";
                }
                if ("jar".equals(url.getProtocol())) {
                    String s = url.getPath();
                    int bang = s.indexOf("!/");
                    String jar = bang > 0 ? s.substring(0, bang) : s;
                    return Optional.ofNullable(Path.of(URI.create(jar)).getFileName())
                            .map(Path::toString)
                            .orElse(jar);
                }
                return url.toString();
            } catch (RuntimeException | java.net.URISyntaxException e) {
                return url.toString();
            }
        }
        if (module != null && module.isNamed()) {
            return module.getName();
        }
        return null;
    }

    /* A class without a code source (defined by a framework from bytes): charged to its package. */
    private static String fallbackName(String binaryName) {
        int dot = binaryName.lastIndexOf('.');
        return dot > 0 ? binaryName.substring(0, dot) : "(default package)";
    }

    /** The tag rules of the options. */
    static final class TagRules {
        private final List<Map.Entry<String, Integer>> rules;

        TagRules(Map<String, Tag> byPrefix) {
            this.rules = byPrefix.entrySet().stream()
                    .sorted((a, b) -> b.getKey().length() - a.getKey().length()) // longest prefix wins
                    .map(e -> Map.entry(e.getKey(), e.getValue().value()))
                    .toList();
        }

        /** The tag of the longest rule matching {@code binaryName}, or 0. */
        int tagOf(String binaryName) {
            for (Map.Entry<String, Integer> r : rules) {
                String p = r.getKey();
                if (binaryName.startsWith(p)
                        && (binaryName.length() == p.length()
                                || binaryName.charAt(p.length()) == '.'
                                || binaryName.charAt(p.length()) == '$')) {
                    return r.getValue();
                }
            }
            return 0;
        }

        boolean isEmpty() {
            return rules.isEmpty();
        }
    }
}
